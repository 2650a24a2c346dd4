"""Uses V_0(s_t) at every step instead of V_t(s_t)."""

FAILS = ["test_reinforce_value_baseline"]
MISCONCEPTION = "baseline.stationary_values"


def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
    baseline = np.asarray(values, dtype=float)[0][np.asarray(states)]
    return reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)
