"""Off by one: G_t sums from k = t + 1, leaving out r_t."""

FAILS = ["test_rewards_to_go", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "rewards_to_go.excludes_current"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[0])
    for t in range(rewards.shape[1] - 1, -1, -1):
        out[:, t] = gamma * running
        running = rewards[:, t] + gamma * running
    return out
