"""Normalises along axis 0: each column of an (S, A) table sums to 1 instead of each row.

Seen in real course code: Ace-Quantum/atlas-machine_learning,
reinforcement_learning/policy_gradients/policy_gradient.py (the policy's softmax sums with
axis=0 after subtracting the global max). Written here from that description.
"""

FAILS = ["test_softmax", "test_estimators_unbiased"]
MISCONCEPTION = "softmax.axis_zero"


def softmax(theta):
    theta = np.asarray(theta, dtype=float)
    z = np.exp(theta - np.max(theta))
    return z / np.sum(z, axis=0, keepdims=True)
