"""log pi times the reward instead of the score times the reward."""

FAILS = ["test_reinforce_exact", "test_reinforce_unbiased"]
MISCONCEPTION = "reinforce.log_prob_times_reward"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return log_prob(theta, actions) * (np.asarray(rewards, dtype=float) - baseline)
