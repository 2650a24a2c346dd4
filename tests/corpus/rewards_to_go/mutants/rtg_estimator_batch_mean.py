"""Returns the batch mean, shape (S, A). With one (S, A) value instead of one per trajectory,
neither dual-path cell can weight the trajectories: all three cells of the estimator fail.
"""

FAILS = ["test_reinforce_rewards_to_go", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "rtg_estimator.batch_mean"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    discount = gamma ** np.arange(rewards.shape[1])
    weights = discount * (rewards_to_go(rewards, gamma) - np.asarray(baseline, dtype=float))
    return np.einsum("nt,ntsa->sa", weights, step_scores(theta, states, actions)) / len(rewards)
