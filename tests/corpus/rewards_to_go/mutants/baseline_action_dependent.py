"""Baseline r_t + gamma V_{t+1}(s_{t+1}): a one-sample Q_t(s_t, a_t), which depends on a_t. It
is biased (mean exactly zero with the true values), so the dual-path unbiasedness cell fails
too: a second charge by design, as for reinforce.sign (the property that cell tests is
broken).
"""

FAILS = ["test_reinforce_value_baseline", "test_estimators_unbiased"]
MISCONCEPTION = "baseline.action_dependent"


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
