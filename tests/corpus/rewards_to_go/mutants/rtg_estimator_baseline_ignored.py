"""Ignores the baseline argument."""

FAILS = ["test_reinforce_rewards_to_go", "test_variance_reduction"]
MISCONCEPTION = "rtg_estimator.baseline_ignored"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    weights = gamma ** np.arange(rewards.shape[1]) * rewards_to_go(rewards, gamma)
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
