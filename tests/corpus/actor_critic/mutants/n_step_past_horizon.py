"""Clips the bootstrap index to the last step: where the n steps reach the horizon it still
adds gamma^m V_{T-1}(s_{T-1}).
"""

FAILS = ["test_n_step_advantages"]
MISCONCEPTION = "n_step.past_horizon"


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
        ret = ret + gamma ** (end - t) * values[last, states[:, last]]
        out[:, t] = ret - values[t, states[:, t]]
    return out
