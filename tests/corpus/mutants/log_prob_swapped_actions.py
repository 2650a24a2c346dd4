"""Gives action 1 the probability sigmoid(-theta)."""

FAILS = ["test_log_prob", "test_numerical_stability"]
MISCONCEPTION = "log_prob.swapped_actions"


def log_prob(theta, actions):
    signed = np.where(np.asarray(actions) == 1, -theta, theta)
    return -np.logaddexp(0.0, -signed)
