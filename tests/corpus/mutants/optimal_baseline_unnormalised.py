"""E[score^2 r] without dividing by E[score^2]."""

FAILS = ["test_optimal_baseline"]
MISCONCEPTION = "optimal_baseline.unnormalised"


def optimal_baseline(theta, means):
    s = float(sigmoid(theta))
    return float(s * (1 - s) ** 2 * means[1] + (1 - s) * s**2 * means[0])
