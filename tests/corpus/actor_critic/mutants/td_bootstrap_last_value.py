"""The next-step index is clipped to T-1, so the last TD error bootstraps from
V_{T-1}(s_{T-1}) instead of V_T = 0.
"""

FAILS = ["test_td_errors"]
MISCONCEPTION = "td.bootstrap_last_value"


def td_errors(rewards, states, values, gamma):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    n, T = states.shape
    current = values[np.arange(T), states]
    after = np.minimum(np.arange(T) + 1, T - 1)
    next_states = np.concatenate([states[:, 1:], states[:, -1:]], axis=1)
    nxt = values[after, next_states]
    return rewards + gamma * nxt - current
