"""log-sum-exp without the max shift: overflows for large logits."""

FAILS = ["test_log_softmax"]
MISCONCEPTION = "log_softmax.no_max_shift"


def log_softmax(theta):
    theta = np.asarray(theta, dtype=float)
    return theta - np.log(np.exp(theta).sum(axis=-1, keepdims=True))
