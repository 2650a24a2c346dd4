"""Differentiates J = sum_a pi(a) means[a] with the diagonal of the softmax Jacobian only,
pi(a) (1 - pi(a)), as if each probability depended on its own logit alone.

Seen in real course code: seanmabli/aiinpy, example/src/softmax.py (the softmax layer's backward
pass returns exp(x) (S - exp(x)) / S^2 = pi (1 - pi) elementwise). Written here from that
description.
"""

FAILS = ["test_exact_gradient"]
MISCONCEPTION = "exact_gradient.diagonal_jacobian"


def exact_gradient(theta, means):
    pi = softmax(theta)
    return pi * (1.0 - pi) * np.asarray(means, dtype=float)
