"""The unweighted average of the arms' means."""

FAILS = ["test_expected_reward"]
MISCONCEPTION = "expected_reward.plain_average"


def expected_reward(theta, means):
    return float(np.mean(means))
