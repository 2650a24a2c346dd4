"""Returns the probability pi_theta(a) instead of its logarithm."""

FAILS = ["test_log_prob", "test_numerical_stability"]
MISCONCEPTION = "log_prob.probability"


def log_prob(theta, actions):
    p1 = sigmoid(theta)
    return np.where(np.asarray(actions) == 1, p1, 1 - p1)
