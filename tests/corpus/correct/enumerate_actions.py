"""Everything exact as a sum over the two actions a in (0, 1) of pi(a) times something."""


def _pi(theta, a):
    return float(sigmoid(theta if a == 1 else -theta))


def _score(theta, a):
    return a - float(sigmoid(theta))


def log_prob(theta, actions):
    table = {a: float(-np.logaddexp(0.0, -(theta if a == 1 else -theta))) for a in (0, 1)}
    return np.array([table[int(a)] for a in np.asarray(actions)], dtype=float)


def grad_log_prob(theta, actions):
    table = {a: _score(theta, a) for a in (0, 1)}
    return np.array([table[int(a)] for a in np.asarray(actions)], dtype=float)


def expected_reward(theta, means):
    return sum(_pi(theta, a) * means[a] for a in (0, 1))


def analytic_gradient(theta, means):
    # dJ/dtheta = E[score(a) * means[a]]
    return sum(_pi(theta, a) * _score(theta, a) * means[a] for a in (0, 1))


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    actions = np.asarray(actions)
    advantage = np.asarray(rewards, dtype=float) - np.asarray(baseline, dtype=float)
    out = np.zeros(actions.shape[0])
    for a in (0, 1):
        mask = actions == a
        out[mask] = _score(theta, a) * advantage[mask]
    return out


def estimator_variance(theta, means, stds, baseline=0.0):
    second = sum(
        _pi(theta, a) * _score(theta, a) ** 2 * ((means[a] - baseline) ** 2 + stds[a] ** 2)
        for a in (0, 1)
    )
    return second - analytic_gradient(theta, means) ** 2


def optimal_baseline(theta, means):
    weight = {a: _pi(theta, a) * _score(theta, a) ** 2 for a in (0, 1)}
    return sum(weight[a] * means[a] for a in (0, 1)) / sum(weight[a] for a in (0, 1))


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards.sum() - rewards) / (rewards.size - 1)
