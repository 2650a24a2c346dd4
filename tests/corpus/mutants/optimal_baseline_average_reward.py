"""Uses the average reward J(theta) as the 'optimal' baseline."""

FAILS = ["test_optimal_baseline"]
MISCONCEPTION = "optimal_baseline.average_reward"


def optimal_baseline(theta, means):
    return expected_reward(theta, means)
