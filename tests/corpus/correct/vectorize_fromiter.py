"""Scalar rules lifted to arrays with np.vectorize and np.fromiter."""


def _log_pi_scalar(a, theta):
    x = theta if a == 1 else -theta
    return -np.logaddexp(0.0, -x)


def _score_scalar(a, theta):
    return a - float(sigmoid(theta))


def log_prob(theta, actions):
    rule = np.vectorize(_log_pi_scalar, otypes=[float])
    return rule(np.asarray(actions), float(theta))


def grad_log_prob(theta, actions):
    s = float(sigmoid(theta))
    rule = np.vectorize(lambda a: a - s, otypes=[float])
    return rule(np.asarray(actions))


def expected_reward(theta, means):
    pi = np.fromiter((float(sigmoid(theta if a == 1 else -theta)) for a in (0, 1)), float, 2)
    return float(np.dot(pi, np.fromiter(means, float, 2)))


def analytic_gradient(theta, means):
    terms = np.fromiter(
        (
            float(sigmoid(theta if a == 1 else -theta)) * _score_scalar(a, theta) * means[a]
            for a in (0, 1)
        ),
        float,
        2,
    )
    return float(terms.sum())


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    actions = np.asarray(actions)
    rewards = np.asarray(rewards, dtype=float)
    bases = np.broadcast_to(np.asarray(baseline, dtype=float), rewards.shape)
    s = float(sigmoid(theta))
    return np.fromiter(
        ((a - s) * (r - b) for a, r, b in zip(actions.tolist(), rewards.tolist(), bases.tolist())),
        dtype=float,
        count=rewards.shape[0],
    )


def estimator_variance(theta, means, stds, baseline=0.0):
    s = float(sigmoid(theta))
    second = np.fromiter(
        (
            (s if a == 1 else 1.0 - s) * (a - s) ** 2 * ((means[a] - baseline) ** 2 + stds[a] ** 2)
            for a in (0, 1)
        ),
        float,
        2,
    ).sum()
    return float(second - analytic_gradient(theta, means) ** 2)


def optimal_baseline(theta, means):
    s = float(sigmoid(theta))
    weights = np.fromiter((s, 1.0 - s), float, 2)
    return float(weights @ np.fromiter(means, float, 2))


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    total, n = rewards.sum(), rewards.shape[0]
    return np.fromiter(((total - r) / (n - 1) for r in rewards.tolist()), float, n)
