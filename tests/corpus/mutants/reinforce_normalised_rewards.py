"""Normalises the rewards by their standard deviation inside the estimator."""

FAILS = ["test_reinforce_exact", "test_reinforce_unbiased"]
MISCONCEPTION = "reinforce.normalised_rewards"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    scale = rewards.std() if rewards.size > 1 and rewards.std() > 0 else 1.0
    return grad_log_prob(theta, actions) * (rewards - baseline) / scale
