"""The score function with the wrong sign."""

FAILS = ["test_grad_log_prob", "test_numerical_stability"]
MISCONCEPTION = "grad_log_prob.sign"


def grad_log_prob(theta, actions):
    return sigmoid(theta) - np.asarray(actions, dtype=float)
