"""pi * means: forgets that the normaliser subtracts J."""

FAILS = ["test_exact_gradient"]
MISCONCEPTION = "exact_gradient.missing_baseline_J"


def exact_gradient(theta, means):
    return softmax(theta) * np.asarray(means, dtype=float)
