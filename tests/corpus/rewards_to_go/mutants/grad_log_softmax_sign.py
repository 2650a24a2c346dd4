"""The softmax score with the wrong sign: pi - one_hot(a)."""

FAILS = ["test_grad_log_softmax"]
MISCONCEPTION = "grad_log_softmax.sign"


def grad_log_softmax(theta, actions):
    pi = softmax(theta)
    return pi - np.eye(pi.shape[-1])[np.asarray(actions, dtype=int)]
