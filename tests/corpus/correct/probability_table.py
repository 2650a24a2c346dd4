"""Two-entry tables indexed by the action: fancy indexing and np.choose."""


def _log_table(theta):
    """[log pi(0), log pi(1)]."""
    return -np.logaddexp(0.0, np.array([theta, -theta], dtype=float))


def _prob_table(theta):
    """[pi(0), pi(1)]."""
    return sigmoid(np.array([-theta, theta], dtype=float))


def _score_table(theta):
    """[score(0), score(1)] = [-s, 1 - s]."""
    return np.array([0.0, 1.0]) - float(sigmoid(theta))


def log_prob(theta, actions):
    return _log_table(theta)[np.asarray(actions, dtype=int)]


def grad_log_prob(theta, actions):
    score = _score_table(theta)
    return np.choose(np.asarray(actions, dtype=int), [score[0], score[1]]).astype(float)


def expected_reward(theta, means):
    return float(_prob_table(theta) @ np.asarray(means, dtype=float))


def analytic_gradient(theta, means):
    return float(np.sum(_prob_table(theta) * _score_table(theta) * np.asarray(means, dtype=float)))


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    score = _score_table(theta)[np.asarray(actions, dtype=int)]
    return score * (np.asarray(rewards, dtype=float) - np.asarray(baseline, dtype=float))


def estimator_variance(theta, means, stds, baseline=0.0):
    p, score = _prob_table(theta), _score_table(theta)
    m, sd = np.asarray(means, dtype=float), np.asarray(stds, dtype=float)
    second = np.sum(p * score**2 * ((m - baseline) ** 2 + sd**2))
    return float(second - analytic_gradient(theta, means) ** 2)


def optimal_baseline(theta, means):
    # the weights pi(a) score(a)^2, normalised, are [s, 1 - s] = the probabilities reversed
    p = _prob_table(theta)
    return float(p[::-1] @ np.asarray(means, dtype=float))


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards.sum() - rewards) / (rewards.size - 1)
