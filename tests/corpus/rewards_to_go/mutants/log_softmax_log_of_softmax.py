"""log of the softmax: -inf when a probability underflows."""

FAILS = ["test_log_softmax"]
MISCONCEPTION = "log_softmax.log_of_softmax"


def log_softmax(theta):
    return np.log(softmax(theta))
