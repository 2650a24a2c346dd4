"""Enumerates score(a) * means[a] over the arms without the weight pi(a)."""

FAILS = ["test_exact_gradient"]
MISCONCEPTION = "exact_gradient.no_probability_weight"


def exact_gradient(theta, means):
    pi = softmax(theta)
    means = np.asarray(means, dtype=float)
    return sum((np.eye(len(pi))[a] - pi) * means[a] for a in range(len(pi)))
