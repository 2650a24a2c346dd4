"""Discounts from the episode start: sum_{k>=t} gamma^k r_k."""

FAILS = ["test_rewards_to_go", "test_estimators_unbiased"]
MISCONCEPTION = "rewards_to_go.from_episode_start"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    discounted = rewards * gamma ** np.arange(rewards.shape[1])
    return np.cumsum(discounted[:, ::-1], axis=1)[:, ::-1]
