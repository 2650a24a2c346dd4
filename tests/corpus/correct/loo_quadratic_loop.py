"""Leave-one-out by an explicit O(n^2) double loop; the rest in straightforward numpy."""


def log_prob(theta, actions):
    actions = np.asarray(actions)
    return np.where(actions == 1, -np.logaddexp(0.0, -theta), -np.logaddexp(0.0, theta))


def grad_log_prob(theta, actions):
    return np.asarray(actions, dtype=float) - sigmoid(theta)


def expected_reward(theta, means):
    s = float(sigmoid(theta))
    return (1 - s) * means[0] + s * means[1]


def analytic_gradient(theta, means):
    s = float(sigmoid(theta))
    return s * (1 - s) * (means[1] - means[0])


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return grad_log_prob(theta, actions) * (np.asarray(rewards, dtype=float) - baseline)


def estimator_variance(theta, means, stds, baseline=0.0):
    s = float(sigmoid(theta))
    second = (1 - s) * s**2 * ((means[0] - baseline) ** 2 + stds[0] ** 2) + s * (1 - s) ** 2 * (
        (means[1] - baseline) ** 2 + stds[1] ** 2
    )
    return second - analytic_gradient(theta, means) ** 2


def optimal_baseline(theta, means):
    s = float(sigmoid(theta))
    return (1 - s) * means[1] + s * means[0]


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    n = len(rewards)
    out = np.zeros(n)
    for i in range(n):
        others = 0.0
        for j in range(n):
            if j != i:
                others += rewards[j]
        out[i] = others / (n - 1)
    return out
