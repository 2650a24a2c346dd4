"""Only action 1's share of the reward."""

FAILS = ["test_expected_reward"]
MISCONCEPTION = "expected_reward.action_one_only"


def expected_reward(theta, means):
    return float(sigmoid(theta) * means[1])
