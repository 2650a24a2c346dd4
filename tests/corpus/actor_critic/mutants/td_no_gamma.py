"""The next value is not discounted."""

FAILS = ["test_td_errors"]
MISCONCEPTION = "td.no_gamma"


def td_errors(rewards, states, values, gamma):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    n, T = states.shape
    current = values[np.arange(T), states]
    nxt = np.zeros((n, T))
    nxt[:, :-1] = values[np.arange(1, T), states[:, 1:]]
    return rewards + 1.0 * nxt - current
