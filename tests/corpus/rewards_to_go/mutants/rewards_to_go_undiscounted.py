"""Ignores gamma: a plain reversed cumulative sum."""

FAILS = ["test_rewards_to_go", "test_estimators_unbiased"]
MISCONCEPTION = "rewards_to_go.undiscounted"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return np.cumsum(rewards[:, ::-1], axis=1)[:, ::-1]
