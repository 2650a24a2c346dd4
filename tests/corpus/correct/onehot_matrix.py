"""One-hot action matrix times per-action vectors (matrix products and einsum)."""


def _onehot(actions):
    return np.eye(2)[np.asarray(actions, dtype=int)]


def _per_action(theta):
    """Rows: pi(a), log pi(a), score(a) for a = 0, 1."""
    s = float(sigmoid(theta))
    return np.array(
        [
            [float(sigmoid(-theta)), s],
            [-float(np.logaddexp(0.0, theta)), -float(np.logaddexp(0.0, -theta))],
            [-s, 1.0 - s],
        ]
    )


def log_prob(theta, actions):
    return _onehot(actions) @ _per_action(theta)[1]


def grad_log_prob(theta, actions):
    return np.einsum("na,a->n", _onehot(actions), _per_action(theta)[2])


def expected_reward(theta, means):
    return float(_per_action(theta)[0] @ np.asarray(means, dtype=float))


def analytic_gradient(theta, means):
    pi, _, score = _per_action(theta)
    return float(np.einsum("a,a,a->", pi, score, np.asarray(means, dtype=float)))


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    advantage = np.asarray(rewards, dtype=float) - np.asarray(baseline, dtype=float)
    return (_onehot(actions) @ _per_action(theta)[2]) * advantage


def estimator_variance(theta, means, stds, baseline=0.0):
    pi, _, score = _per_action(theta)
    m, sd = np.asarray(means, dtype=float), np.asarray(stds, dtype=float)
    conditional = (m - baseline) ** 2 + sd**2
    second = float(np.einsum("a,a,a->", pi, score**2, conditional))
    return second - analytic_gradient(theta, means) ** 2


def optimal_baseline(theta, means):
    pi, _, score = _per_action(theta)
    weight = pi * score**2
    return float(weight @ np.asarray(means, dtype=float) / weight.sum())


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    n = rewards.size
    others = np.ones((n, n)) - np.eye(n)
    return others @ rewards / (n - 1)
