"""Weights means[1] by pi(a=0)."""

FAILS = ["test_expected_reward"]
MISCONCEPTION = "expected_reward.swapped_means"


def expected_reward(theta, means):
    return float(sigmoid(theta) * means[0] + sigmoid(-theta) * means[1])
