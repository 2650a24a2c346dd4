"""Vectorised with np.where: pick the a = 1 or a = 0 expression per sample."""


def log_prob(theta, actions):
    actions = np.asarray(actions)
    return np.where(actions == 1, -np.logaddexp(0.0, -theta), -np.logaddexp(0.0, theta))


def grad_log_prob(theta, actions):
    actions = np.asarray(actions)
    s = sigmoid(theta)
    return np.where(actions == 1, 1.0 - s, -s).astype(float)


def expected_reward(theta, means):
    s = float(sigmoid(theta))
    return float(np.where(True, (1.0 - s) * means[0] + s * means[1], 0.0))


def analytic_gradient(theta, means):
    s = float(sigmoid(theta))
    return float(s * (1.0 - s) * (means[1] - means[0]))


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    actions = np.asarray(actions)
    rewards = np.asarray(rewards, dtype=float)
    advantage = rewards - np.asarray(baseline, dtype=float)
    s = sigmoid(theta)
    return np.where(actions == 1, (1.0 - s) * advantage, -s * advantage)


def estimator_variance(theta, means, stds, baseline=0.0):
    s = float(sigmoid(theta))
    a = np.array([0, 1])
    pi = np.where(a == 1, s, 1.0 - s)
    score = np.where(a == 1, 1.0 - s, -s)
    m = np.where(a == 1, means[1], means[0])
    sd = np.where(a == 1, stds[1], stds[0])
    second = np.sum(pi * score**2 * ((m - baseline) ** 2 + sd**2))
    grad = s * (1.0 - s) * (means[1] - means[0])
    return float(second - grad**2)


def optimal_baseline(theta, means):
    s = float(sigmoid(theta))
    return float((1.0 - s) * means[1] + s * means[0])


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    n = rewards.size
    return np.where(np.ones(n, dtype=bool), (rewards.sum() - rewards) / (n - 1), 0.0)
