"""List comprehensions over the samples, turned into arrays at the end."""


def _s(theta):
    return float(sigmoid(theta))


def log_prob(theta, actions):
    return np.array(
        [-float(np.logaddexp(0.0, -theta if a == 1 else theta)) for a in np.asarray(actions)],
        dtype=float,
    )


def grad_log_prob(theta, actions):
    s = _s(theta)
    return np.array([float(a) - s for a in np.asarray(actions)], dtype=float)


def expected_reward(theta, means):
    s = _s(theta)
    return sum([p * m for p, m in zip([1.0 - s, s], means)])


def analytic_gradient(theta, means):
    s = _s(theta)
    return sum([c * m for c, m in zip([-s * (1.0 - s), s * (1.0 - s)], means)])


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    s = _s(theta)
    n = len(rewards)
    bases = [float(baseline)] * n if np.ndim(baseline) == 0 else [float(b) for b in baseline]
    return np.array(
        [(float(a) - s) * (float(r) - b) for a, r, b in zip(actions, rewards, bases)],
        dtype=float,
    )


def estimator_variance(theta, means, stds, baseline=0.0):
    s = _s(theta)
    pis = [1.0 - s, s]
    scores = [-s, 1.0 - s]
    second = sum(
        [pis[a] * scores[a] ** 2 * ((means[a] - baseline) ** 2 + stds[a] ** 2) for a in (0, 1)]
    )
    return second - analytic_gradient(theta, means) ** 2


def optimal_baseline(theta, means):
    s = _s(theta)
    return sum([w * m for w, m in zip([s, 1.0 - s], means)])


def leave_one_out_baseline(rewards):
    values = [float(r) for r in rewards]
    total = sum(values)
    return np.array([(total - r) / (len(values) - 1) for r in values], dtype=float)
