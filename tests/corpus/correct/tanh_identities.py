"""Hyperbolic identities: s = (1 + tanh(theta/2))/2 and s(1 - s) = 1 / (4 cosh(theta/2)^2)."""


def _half_tanh(theta):
    return math.tanh(theta / 2.0)


def _sech2_over_4(theta):
    # s (1 - s) = 1 / (2 + 2 cosh(theta)); written via exp(-|theta|) so it never overflows.
    z = math.exp(-abs(theta))
    return z / (1.0 + z) ** 2


def log_prob(theta, actions):
    # log sigmoid(x) = -log(1 + exp(-x)); np.logaddexp keeps it finite for any |x|.
    x = np.where(np.asarray(actions) == 1, theta, -theta)
    return -np.logaddexp(0.0, -x)


def grad_log_prob(theta, actions):
    # a - s = a - 1/2 - tanh(theta/2)/2; for theta very negative tanh rounds to -1, so use the
    # stable sigmoid there to keep a - s accurate for a = 0.
    s = float(sigmoid(theta))
    return np.asarray(actions, dtype=float) - s


def expected_reward(theta, means):
    tau = _half_tanh(theta)
    return 0.5 * (means[0] + means[1]) + 0.5 * tau * (means[1] - means[0])


def analytic_gradient(theta, means):
    return _sech2_over_4(theta) * (means[1] - means[0])


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    score = np.asarray(actions, dtype=float) - float(sigmoid(theta))
    return score * (np.asarray(rewards, dtype=float) - np.asarray(baseline, dtype=float))


def estimator_variance(theta, means, stds, baseline=0.0):
    # with s t = sech^2/4: E[g^2] = s t (t q1 + s q0) = s t ((q0 + q1) + tau (q0 - q1)) / 2
    tau = _half_tanh(theta)
    st = _sech2_over_4(theta)
    q0 = (means[0] - baseline) ** 2 + stds[0] ** 2
    q1 = (means[1] - baseline) ** 2 + stds[1] ** 2
    second = st * 0.5 * ((q0 + q1) + tau * (q0 - q1))
    return second - (st * (means[1] - means[0])) ** 2


def optimal_baseline(theta, means):
    tau = _half_tanh(theta)
    return 0.5 * (means[0] + means[1]) - 0.5 * tau * (means[1] - means[0])


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards.sum() - rewards) / (rewards.size - 1)
