"""Returns the batch mean, shape (S, A)."""

FAILS = ["test_reinforce_rewards_to_go"]
MISCONCEPTION = "rtg_estimator.batch_mean"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    discount = gamma ** np.arange(rewards.shape[1])
    weights = discount * (rewards_to_go(rewards, gamma) - np.asarray(baseline, dtype=float))
    return np.einsum("nt,ntsa->sa", weights, step_scores(theta, states, actions)) / len(rewards)
