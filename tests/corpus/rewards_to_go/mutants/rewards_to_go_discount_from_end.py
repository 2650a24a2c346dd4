"""Discounts from the end of the episode: gamma^(T-1-k) r_k."""

FAILS = ["test_rewards_to_go", "test_estimators_unbiased"]
MISCONCEPTION = "rewards_to_go.discount_from_end"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    T = rewards.shape[1]
    weighted = rewards * gamma ** np.arange(T - 1, -1, -1)
    return np.cumsum(weighted[:, ::-1], axis=1)[:, ::-1]
