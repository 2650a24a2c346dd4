"""log(1 - sigmoid(theta)): exact on moderate thetas, -inf at theta = 500 and 1000."""

FAILS = ["test_numerical_stability"]
MISCONCEPTION = "log_prob.unstable"


def log_prob(theta, actions):
    p1 = 1.0 / (1.0 + np.exp(-theta))
    return np.where(np.asarray(actions) == 1, np.log(p1), np.log(1.0 - p1))
