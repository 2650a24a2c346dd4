"""Edsger subtracts r_t + gamma V_{t+1}(s_{t+1}) as the baseline: it depends on the action."""


def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    T = rewards.shape[1]
    next_values = np.zeros_like(rewards)
    for t in range(T - 1):
        next_values[:, t] = values[t + 1, states[:, t + 1]]
    baseline = rewards + gamma * next_values
    return reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)
