"""The usual course formula sum_t score_t (G_t - b_t): no gamma^t. Biased whenever gamma < 1,
so the dual-path unbiasedness cell (gamma = 0.9) fails too (by design).
"""

FAILS = ["test_reinforce_rewards_to_go", "test_estimators_unbiased"]
MISCONCEPTION = "rtg_estimator.no_gamma_t"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    weights = rewards_to_go(rewards, gamma) - np.asarray(baseline, dtype=float)
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
