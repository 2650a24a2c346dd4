"""np.log1p / np.exp with an explicit branch on the sign of theta, so exp never overflows."""


def _log_sigmoid(x):
    # x is a Python float: log sigmoid(x) = -log1p(exp(-x)) for x >= 0, x - log1p(exp(x)) else.
    if x >= 0:
        return -np.log1p(np.exp(-x))
    return x - np.log1p(np.exp(x))


def _sigmoid_pair(theta):
    """(sigmoid(theta), sigmoid(-theta)), both computed from exp of a non-positive number."""
    if theta >= 0:
        z = np.exp(-theta)
        return 1.0 / (1.0 + z), z / (1.0 + z)
    z = np.exp(theta)
    return z / (1.0 + z), 1.0 / (1.0 + z)


def log_prob(theta, actions):
    actions = np.asarray(actions)
    log_p1 = _log_sigmoid(theta)
    log_p0 = _log_sigmoid(-theta)
    out = np.empty(actions.shape, dtype=float)
    out[actions == 1] = log_p1
    out[actions != 1] = log_p0
    return out


def grad_log_prob(theta, actions):
    s, _ = _sigmoid_pair(theta)
    return np.asarray(actions, dtype=float) - s


def expected_reward(theta, means):
    s, t = _sigmoid_pair(theta)
    return float(t * means[0] + s * means[1])


def analytic_gradient(theta, means):
    s, t = _sigmoid_pair(theta)
    return float(s * t * (means[1] - means[0]))


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    s, _ = _sigmoid_pair(theta)
    advantage = np.asarray(rewards, dtype=float) - np.asarray(baseline, dtype=float)
    return (np.asarray(actions, dtype=float) - s) * advantage


def estimator_variance(theta, means, stds, baseline=0.0):
    s, t = _sigmoid_pair(theta)
    second = t * s**2 * ((means[0] - baseline) ** 2 + stds[0] ** 2)
    second += s * t**2 * ((means[1] - baseline) ** 2 + stds[1] ** 2)
    return float(second - (s * t * (means[1] - means[0])) ** 2)


def optimal_baseline(theta, means):
    s, t = _sigmoid_pair(theta)
    return float(t * means[1] + s * means[0])


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards.sum() - rewards) / (rewards.size - 1)
