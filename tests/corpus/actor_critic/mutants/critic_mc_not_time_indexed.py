"""A stationary critic: pools every visit of a state over all steps, then repeats the row
for every t.
"""

FAILS = ["test_fit_critic_monte_carlo"]
MISCONCEPTION = "critic_mc.not_time_indexed"


def fit_critic_monte_carlo(states, rewards, gamma, n_states):
    states = np.asarray(states)
    returns = rewards_to_go(rewards, gamma)
    row = np.zeros(n_states)
    for s in range(n_states):
        visits = states == s
        if visits.any():
            row[s] = returns[visits].mean()
    return np.tile(row, (states.shape[1], 1))
