"""d pi / d theta instead of d log pi / d theta."""

FAILS = ["test_grad_log_prob", "test_numerical_stability"]
MISCONCEPTION = "grad_log_prob.dpi_not_dlogpi"


def grad_log_prob(theta, actions):
    actions = np.asarray(actions, dtype=float)
    s = sigmoid(theta)
    return np.where(actions == 1, s * (1 - s), -s * (1 - s))
