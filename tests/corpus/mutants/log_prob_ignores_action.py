"""log sigmoid(theta) for every action."""

FAILS = ["test_log_prob", "test_numerical_stability"]
MISCONCEPTION = "log_prob.ignores_action"


def log_prob(theta, actions):
    return np.full(np.shape(actions), -np.logaddexp(0.0, -theta))
