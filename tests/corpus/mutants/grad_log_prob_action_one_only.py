"""Uses the score of action 1 for both actions."""

FAILS = ["test_grad_log_prob", "test_numerical_stability"]
MISCONCEPTION = "grad_log_prob.action_one_only"


def grad_log_prob(theta, actions):
    return np.full(np.shape(actions), 1.0 - sigmoid(theta))
