"""Accepts plain lists or arrays for every argument: np.asarray on the way in, everywhere."""


def log_prob(theta, actions):
    theta = float(np.asarray(theta, dtype=float))
    actions = np.asarray(actions, dtype=float).reshape(-1)
    signed = theta * (2.0 * actions - 1.0)
    return -np.logaddexp(0.0, -signed)


def grad_log_prob(theta, actions):
    theta = float(np.asarray(theta, dtype=float))
    actions = np.asarray(actions, dtype=float).reshape(-1)
    return actions - sigmoid(theta)


def expected_reward(theta, means):
    theta = float(np.asarray(theta, dtype=float))
    means = np.asarray(means, dtype=float)
    p = sigmoid(np.asarray([-theta, theta]))
    return float(np.dot(p, means))


def analytic_gradient(theta, means):
    theta = float(np.asarray(theta, dtype=float))
    means = np.asarray(means, dtype=float)
    s = float(sigmoid(theta))
    return float(s * (1.0 - s) * (means[1] - means[0]))


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float).reshape(-1)
    baseline = np.asarray(baseline, dtype=float)
    return grad_log_prob(theta, actions) * (rewards - baseline)


def estimator_variance(theta, means, stds, baseline=0.0):
    theta = float(np.asarray(theta, dtype=float))
    means = np.asarray(means, dtype=float)
    stds = np.asarray(stds, dtype=float)
    baseline = float(np.asarray(baseline, dtype=float))
    s = float(sigmoid(theta))
    p = np.asarray([1.0 - s, s])
    score = np.asarray([-s, 1.0 - s])
    second = float(np.sum(p * score**2 * ((means - baseline) ** 2 + stds**2)))
    return second - analytic_gradient(theta, means) ** 2


def optimal_baseline(theta, means):
    theta = float(np.asarray(theta, dtype=float))
    means = np.asarray(means, dtype=float)
    s = float(sigmoid(theta))
    return float(np.dot(np.asarray([s, 1.0 - s]), means))


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float).reshape(-1)
    return (np.sum(rewards) - rewards) / (rewards.size - 1)
