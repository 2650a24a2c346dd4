"""log10 instead of the natural log."""

FAILS = ["test_log_prob", "test_numerical_stability"]
MISCONCEPTION = "log_prob.base10"


def log_prob(theta, actions):
    signed = np.where(np.asarray(actions) == 1, theta, -theta)
    return -np.logaddexp(0.0, -signed) / np.log(10.0)
