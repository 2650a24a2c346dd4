"""The score without the -pi term: one_hot(a) only. It does not depend on theta (a constant
helper), so reinforce_estimates built on it is not excused: no check can tell a right caller
from a wrong one with it (issue 13)."""

FAILS = ["test_grad_log_softmax", "test_reinforce_estimates", "test_reinforce_unbiased"]
MISCONCEPTION = "grad_log_softmax.one_hot_only"


def grad_log_softmax(theta, actions):
    k = np.shape(theta)[-1]
    return np.eye(k)[np.asarray(actions, dtype=int)]
