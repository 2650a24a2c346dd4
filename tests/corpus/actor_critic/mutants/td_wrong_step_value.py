"""V_t(s_{t+1}): the next state's value read in the current step's table."""

FAILS = ["test_td_errors"]
MISCONCEPTION = "td.wrong_step_value"


def td_errors(rewards, states, values, gamma):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    n, T = states.shape
    current = values[np.arange(T), states]
    nxt = np.zeros((n, T))
    nxt[:, :-1] = values[np.arange(T - 1), states[:, 1:]]
    return rewards + gamma * nxt - current
