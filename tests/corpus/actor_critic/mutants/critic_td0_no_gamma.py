"""The bootstrapped value is not discounted."""

FAILS = ["test_fit_critic_td0"]
MISCONCEPTION = "critic_td0.no_gamma"


def fit_critic_td0(states, rewards, gamma, n_states):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    n, T = states.shape
    values = np.zeros((T, n_states))
    for t in range(T - 1, -1, -1):
        nxt = values[t + 1, states[:, t + 1]] if t + 1 < T else np.zeros(n)
        targets = rewards[:, t] + 1.0 * nxt
        for s in range(n_states):
            visits = states[:, t] == s
            if visits.any():
                values[t, s] = targets[visits].mean()
    return values
