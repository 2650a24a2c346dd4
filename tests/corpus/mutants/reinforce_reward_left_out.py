"""The score alone, without the reward."""

FAILS = ["test_reinforce_exact", "test_reinforce_unbiased"]
MISCONCEPTION = "reinforce.reward_left_out"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return grad_log_prob(theta, actions) * np.ones(len(rewards))
