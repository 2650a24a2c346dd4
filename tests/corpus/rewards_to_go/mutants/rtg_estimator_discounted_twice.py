"""gamma^t times rewards-to-go that are already discounted from the start. Biased, so the dual-
path unbiasedness cell fails too (by design).
"""

FAILS = ["test_reinforce_rewards_to_go", "test_estimators_unbiased"]
MISCONCEPTION = "rtg_estimator.discounted_twice"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    discount = gamma ** np.arange(rewards.shape[1])
    from_start = discount * rewards_to_go(rewards, gamma)
    weights = discount * (from_start - np.asarray(baseline, dtype=float))
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
