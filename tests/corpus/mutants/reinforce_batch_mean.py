"""Returns the batch mean of the estimates instead of one estimate per sample."""

FAILS = ["test_reinforce_exact", "test_reinforce_unbiased"]
MISCONCEPTION = "reinforce.batch_mean"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return float(
        np.mean(grad_log_prob(theta, actions) * (np.asarray(rewards, dtype=float) - baseline))
    )
