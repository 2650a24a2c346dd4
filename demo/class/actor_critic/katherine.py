"""Katherine's n-step returns run past the horizon: where the n steps reach the end of the
episode she still bootstraps from the last step's value instead of V_T = 0."""


def n_step_advantages(rewards, states, values, gamma, n_steps):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    n, T = states.shape
    out = np.zeros((n, T))
    for t in range(T):
        end = min(t + n_steps, T)
        ret = sum(gamma**k * rewards[:, t + k] for k in range(end - t))
        last = min(end, T - 1)
        out[:, t] = (
            ret + gamma ** (end - t) * values[last, states[:, last]] - values[t, states[:, t]]
        )
    return out
