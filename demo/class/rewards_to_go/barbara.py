"""Barbara sums the rewards-to-go from the step after t: r_t is left out (off by one)."""


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[0])
    for t in range(rewards.shape[1] - 1, -1, -1):
        out[:, t] = gamma * running
        running = rewards[:, t] + gamma * running
    return out
