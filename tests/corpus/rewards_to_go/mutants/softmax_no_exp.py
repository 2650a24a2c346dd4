"""Divides the max-shifted logits by their sum without exponentiating them.

Seen in real course code: seanmabli/aiinpy, example/src/softmax.py (the softmax layer's forward
pass returns (input - max(input)) / sum(input - max(input))). Written here from that
description. Equal logits give 0 / 0 = nan, and theta = 0 in the dual-path cells is all equal, so
the functions that call softmax are charged too: a non-finite helper value is not yet explained
through the helper (issue 13).
"""

FAILS = [
    "test_softmax",
    "test_expected_reward",
    "test_exact_gradient",
    "test_state_values",
    "test_estimators_unbiased",
    "test_variance_reduction",
]
MISCONCEPTION = "softmax.no_exp"


def softmax(theta):
    theta = np.asarray(theta, dtype=float)
    shifted = theta - np.max(theta)
    return shifted / np.sum(shifted)
