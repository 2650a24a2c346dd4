"""The plain average of the two means."""

FAILS = ["test_optimal_baseline"]
MISCONCEPTION = "optimal_baseline.plain_mean"


def optimal_baseline(theta, means):
    return float((means[0] + means[1]) / 2)
