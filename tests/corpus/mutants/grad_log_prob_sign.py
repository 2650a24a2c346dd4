"""The score function with the wrong sign."""

FAILS = ["test_grad_log_prob", "test_numerical_stability"]
# The solution's reinforce_estimates calls grad_log_prob, so its cells inherit the bug.
ALSO_FAILS = ["test_reinforce_exact", "test_reinforce_unbiased"]
MISCONCEPTION = "grad_log_prob.sign"


def grad_log_prob(theta, actions):
    return sigmoid(theta) - np.asarray(actions, dtype=float)
