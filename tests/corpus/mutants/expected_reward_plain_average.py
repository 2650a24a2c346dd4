"""The unweighted average of the two means."""

FAILS = ["test_expected_reward"]
MISCONCEPTION = "expected_reward.plain_average"


def expected_reward(theta, means):
    return float((means[0] + means[1]) / 2)
