"""Regresses the immediate reward r_t on the cell (t, s_t) instead of the reward-to-go."""

FAILS = ["test_fit_critic_monte_carlo"]
MISCONCEPTION = "critic_mc.regressed_rewards"


def fit_critic_monte_carlo(states, rewards, gamma, n_states):
    states = np.asarray(states)
    T = states.shape[1]
    targets = np.asarray(rewards, dtype=float)
    values = np.zeros((T, n_states))
    for t in range(T):
        for s in range(n_states):
            visits = states[:, t] == s
            if visits.any():
                values[t, s] = targets[visits, t].mean()
    return values
