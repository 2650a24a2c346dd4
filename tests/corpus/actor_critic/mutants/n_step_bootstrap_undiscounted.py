"""Adds the bootstrapped value V_{t+m}(s_{t+m}) without its gamma^m."""

FAILS = ["test_n_step_advantages"]
MISCONCEPTION = "n_step.bootstrap_undiscounted"


def n_step_advantages(rewards, states, values, gamma, n_steps):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    n, T = states.shape
    out = np.zeros((n, T))
    for t in range(T):
        m = min(n_steps, T - t)
        ret = sum(gamma**k * rewards[:, t + k] for k in range(m))
        if t + m < T:
            ret = ret + values[t + m, states[:, t + m]]
        out[:, t] = ret - values[t, states[:, t]]
    return out
