"""exp(theta) / (1 + exp(theta)): exact on moderate thetas, nan (inf / inf) at theta = 1000."""

FAILS = ["test_numerical_stability"]
MISCONCEPTION = "grad_log_prob.unstable"


def grad_log_prob(theta, actions):
    p1 = np.exp(theta) / (1.0 + np.exp(theta))
    return np.asarray(actions, dtype=float) - p1
