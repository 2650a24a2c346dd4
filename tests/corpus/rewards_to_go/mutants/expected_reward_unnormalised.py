"""Weights the means by exp(theta_a) without normalising them into probabilities."""

FAILS = ["test_expected_reward"]
MISCONCEPTION = "expected_reward.unnormalised"


def expected_reward(theta, means):
    return float(np.sum(np.exp(theta) * np.asarray(means, dtype=float)))
