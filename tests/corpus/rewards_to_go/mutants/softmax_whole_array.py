"""softmax normalised over the whole (S, A) table instead of per state."""

FAILS = ["test_softmax", "test_estimators_unbiased"]
MISCONCEPTION = "softmax.whole_array"


def softmax(theta):
    theta = np.asarray(theta, dtype=float)
    z = np.exp(theta - theta.max())
    return z / z.sum()
