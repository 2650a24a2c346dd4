"""Divides the max-shifted logits by their sum without exponentiating them.

Seen in real course code: seanmabli/aiinpy, example/src/softmax.py (the softmax layer's forward
pass returns (input - max(input)) / sum(input - max(input))). Written here from that
description. Equal logits give 0 / 0 = nan: the functions that call softmax return nan in the
same places and are excused (the helper's nan explains them); at theta = 0 the dual-path
estimators only propagate that nan, so those cells could not check them on any value: no
automatic score, for a TA (and flagged).
"""

FAILS = ["test_softmax"]
FOR_A_TA = ["test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "softmax.no_exp"


def softmax(theta):
    theta = np.asarray(theta, dtype=float)
    shifted = theta - np.max(theta)
    return shifted / np.sum(shifted)
