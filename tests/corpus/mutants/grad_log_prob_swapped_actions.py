"""The score of the other action."""

FAILS = ["test_grad_log_prob", "test_numerical_stability"]
MISCONCEPTION = "grad_log_prob.swapped_actions"


def grad_log_prob(theta, actions):
    return sigmoid(-theta) - np.asarray(actions, dtype=float)
