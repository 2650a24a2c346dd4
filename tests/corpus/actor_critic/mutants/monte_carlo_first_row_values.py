"""Subtracts values[0][states]: the step-0 values at every step."""

FAILS = ["test_monte_carlo_advantages"]
MISCONCEPTION = "monte_carlo.first_row_values"


def monte_carlo_advantages(rewards, states, values, gamma):
    values = np.asarray(values, dtype=float)
    return rewards_to_go(rewards, gamma) - values[0][np.asarray(states)]
