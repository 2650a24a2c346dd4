"""Regresses the episode's whole discounted return G_0 at every step."""

FAILS = ["test_fit_critic_monte_carlo"]
MISCONCEPTION = "critic_mc.total_return"


def fit_critic_monte_carlo(states, rewards, gamma, n_states):
    states = np.asarray(states)
    T = states.shape[1]
    g0 = rewards_to_go(rewards, gamma)[:, :1]
    targets = np.repeat(g0, T, axis=1)
    values = np.zeros((T, n_states))
    for t in range(T):
        for s in range(n_states):
            visits = states[:, t] == s
            if visits.any():
                values[t, s] = targets[visits, t].mean()
    return values
