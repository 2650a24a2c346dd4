"""Closed forms: log pi(a) = a*theta - softplus(theta) and expanded algebra in s and t = 1 - s."""


def _softplus(x):
    return np.logaddexp(0.0, x)


def log_prob(theta, actions):
    actions = np.asarray(actions, dtype=float)
    return actions * theta - _softplus(theta)


def grad_log_prob(theta, actions):
    return np.asarray(actions, dtype=float) - sigmoid(theta)


def expected_reward(theta, means):
    s = float(sigmoid(theta))
    return means[0] + s * (means[1] - means[0])


def analytic_gradient(theta, means):
    s, t = float(sigmoid(theta)), float(sigmoid(-theta))
    return s * t * (means[1] - means[0])


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    score = np.asarray(actions, dtype=float) - sigmoid(theta)
    return score * (np.asarray(rewards, dtype=float) - baseline)


def estimator_variance(theta, means, stds, baseline=0.0):
    # pi(1) score(1)^2 = s t^2 and pi(0) score(0)^2 = t s^2, so E[g^2] = s t (t q1 + s q0).
    s, t = float(sigmoid(theta)), float(sigmoid(-theta))
    q0 = (means[0] - baseline) ** 2 + stds[0] ** 2
    q1 = (means[1] - baseline) ** 2 + stds[1] ** 2
    return s * t * (t * q1 + s * q0) - (s * t * (means[1] - means[0])) ** 2


def optimal_baseline(theta, means):
    s, t = float(sigmoid(theta)), float(sigmoid(-theta))
    return t * means[1] + s * means[0]


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards.sum() - rewards) / (len(rewards) - 1)
