"""The score without the -pi term: one_hot(a) only."""

FAILS = ["test_grad_log_softmax"]
MISCONCEPTION = "grad_log_softmax.one_hot_only"


def grad_log_softmax(theta, actions):
    k = np.shape(theta)[-1]
    return np.eye(k)[np.asarray(actions, dtype=int)]
