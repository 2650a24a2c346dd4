"""Weights every step by G_0 instead of G_t."""

FAILS = ["test_reinforce_rewards_to_go"]
MISCONCEPTION = "rtg_estimator.total_return_every_step"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    discount = gamma ** np.arange(rewards.shape[1])
    g0 = discounted_returns(rewards, gamma)[:, None]
    weights = discount * (g0 - np.asarray(baseline, dtype=float))
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
