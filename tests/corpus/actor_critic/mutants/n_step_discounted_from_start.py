"""Discounts reward t+k by gamma^(t+k), from the episode start, not from step t."""

FAILS = ["test_n_step_advantages"]
MISCONCEPTION = "n_step.discounted_from_start"


def n_step_advantages(rewards, states, values, gamma, n_steps):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    n, T = states.shape
    out = np.zeros((n, T))
    for t in range(T):
        m = min(n_steps, T - t)
        ret = sum(gamma ** (t + k) * rewards[:, t + k] for k in range(m))
        if t + m < T:
            ret = ret + gamma**m * values[t + m, states[:, t + m]]
        out[:, t] = ret - values[t, states[:, t]]
    return out
