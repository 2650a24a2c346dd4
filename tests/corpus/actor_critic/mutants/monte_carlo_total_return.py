"""The episode's whole return G_0 minus V_t(s_t) at every step."""

FAILS = ["test_monte_carlo_advantages"]
MISCONCEPTION = "monte_carlo.total_return"


def monte_carlo_advantages(rewards, states, values, gamma):
    states = np.asarray(states)
    values = np.asarray(values, dtype=float)
    g0 = rewards_to_go(rewards, gamma)[:, :1]
    return g0 - values[np.arange(states.shape[1]), states]
