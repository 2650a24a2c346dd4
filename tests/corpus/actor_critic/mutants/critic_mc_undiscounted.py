"""The reward-to-go summed without discount."""

FAILS = ["test_fit_critic_monte_carlo"]
MISCONCEPTION = "critic_mc.undiscounted"


def fit_critic_monte_carlo(states, rewards, gamma, n_states):
    states = np.asarray(states)
    T = states.shape[1]
    targets = rewards_to_go(rewards, 1.0)
    values = np.zeros((T, n_states))
    for t in range(T):
        for s in range(n_states):
            visits = states[:, t] == s
            if visits.any():
                values[t, s] = targets[visits, t].mean()
    return values
