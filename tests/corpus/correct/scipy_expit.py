"""scipy.special.expit for sigmoid(theta) and scipy.special.log_expit for log pi(a)."""

from scipy.special import expit, log_expit


def log_prob(theta, actions):
    signed = np.where(np.asarray(actions) == 1, theta, -theta).astype(float)
    return log_expit(signed)


def grad_log_prob(theta, actions):
    return np.asarray(actions, dtype=float) - expit(theta)


def expected_reward(theta, means):
    return float(expit(-theta) * means[0] + expit(theta) * means[1])


def analytic_gradient(theta, means):
    return float(expit(theta) * expit(-theta) * (means[1] - means[0]))


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    score = np.asarray(actions, dtype=float) - expit(theta)
    return score * (np.asarray(rewards, dtype=float) - np.asarray(baseline, dtype=float))


def estimator_variance(theta, means, stds, baseline=0.0):
    p = expit(np.array([-theta, theta], dtype=float))
    score = np.array([0.0, 1.0]) - expit(theta)
    noise = np.asarray(stds, dtype=float) ** 2
    second = np.sum(p * score**2 * ((np.asarray(means, dtype=float) - baseline) ** 2 + noise))
    return float(second - analytic_gradient(theta, means) ** 2)


def optimal_baseline(theta, means):
    return float(expit(-theta) * means[1] + expit(theta) * means[0])


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return (np.sum(rewards) - rewards) / (rewards.shape[0] - 1)
