"""estimator_variance as E[g^2] - E[g]^2, both moments by enumerating the two actions."""


def _policy(theta):
    s = float(sigmoid(theta))
    return {0: 1.0 - s, 1: s}, {0: -s, 1: 1.0 - s}


def log_prob(theta, actions):
    actions = np.asarray(actions)
    return -np.logaddexp(0.0, np.where(actions == 1, -theta, theta))


def grad_log_prob(theta, actions):
    _, score = _policy(theta)
    return np.array([score[int(a)] for a in np.asarray(actions)], dtype=float)


def expected_reward(theta, means):
    pi, _ = _policy(theta)
    return pi[0] * means[0] + pi[1] * means[1]


def analytic_gradient(theta, means):
    pi, score = _policy(theta)
    return pi[0] * score[0] * means[0] + pi[1] * score[1] * means[1]


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return grad_log_prob(theta, actions) * (np.asarray(rewards, dtype=float) - baseline)


def estimator_variance(theta, means, stds, baseline=0.0):
    # g = score(a) (r - b) with r | a ~ N(means[a], stds[a]^2):
    # E[g | a] = score(a)(means[a] - b), E[g^2 | a] = score(a)^2 ((means[a] - b)^2 + stds[a]^2).
    pi, score = _policy(theta)
    first = 0.0
    second = 0.0
    for a in (0, 1):
        first += pi[a] * score[a] * (means[a] - baseline)
        second += pi[a] * score[a] ** 2 * ((means[a] - baseline) ** 2 + stds[a] ** 2)
    return second - first**2


def optimal_baseline(theta, means):
    pi, score = _policy(theta)
    numerator = sum(pi[a] * score[a] ** 2 * means[a] for a in (0, 1))
    denominator = sum(pi[a] * score[a] ** 2 for a in (0, 1))
    return numerator / denominator


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards.sum() - rewards) / (rewards.size - 1)
