"""Sums in the wrong direction: the forward recursion over past rewards."""

FAILS = ["test_rewards_to_go", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "rewards_to_go.past_rewards"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.empty_like(rewards)
    running = np.zeros(rewards.shape[0])
    for t in range(rewards.shape[1]):
        running = rewards[:, t] + gamma * running
        out[:, t] = running
    return out
