"""sum_t score_t (G_t - V_t(s_t)): no gamma^t. Biased whenever gamma < 1, so the dual-path
unbiasedness cell fails too (by design).
"""

FAILS = ["test_reinforce_value_baseline", "test_estimators_unbiased"]
MISCONCEPTION = "value_baseline.no_gamma_t"


def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
    states = np.asarray(states)
    baseline = np.asarray(values, dtype=float)[np.arange(states.shape[1]), states]
    weights = rewards_to_go(rewards, gamma) - baseline
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
