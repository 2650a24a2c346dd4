"""Weights every step by G_0 instead of G_t. Biased when gamma < 1 (gamma^t G_0 discounts the
future rewards of step t by gamma^t twice; at gamma = 1 it is the total-return estimator),
so the dual-path unbiasedness cell fails too (by design).
"""

FAILS = ["test_reinforce_rewards_to_go", "test_estimators_unbiased"]
MISCONCEPTION = "rtg_estimator.total_return_every_step"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    discount = gamma ** np.arange(rewards.shape[1])
    g0 = discounted_returns(rewards, gamma)[:, None]
    weights = discount * (g0 - np.asarray(baseline, dtype=float))
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
