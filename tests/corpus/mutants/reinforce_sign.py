"""(b - r) instead of (r - b): every estimate has the wrong sign."""

FAILS = ["test_reinforce_exact", "test_reinforce_unbiased"]
MISCONCEPTION = "reinforce.sign"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return grad_log_prob(theta, actions) * (baseline - np.asarray(rewards, dtype=float))
