"""softmax without subtracting the largest logit: nan for large logits."""

FAILS = ["test_softmax"]
MISCONCEPTION = "softmax.no_max_shift"


def softmax(theta):
    z = np.exp(np.asarray(theta, dtype=float))
    return z / z.sum(axis=-1, keepdims=True)
