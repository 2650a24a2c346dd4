"""Divides each estimate by pi_theta(a)."""

FAILS = ["test_reinforce_exact", "test_reinforce_unbiased"]
MISCONCEPTION = "reinforce.importance_weight"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    weights = np.exp(log_prob(theta, actions))
    return grad_log_prob(theta, actions) * (np.asarray(rewards, dtype=float) - baseline) / weights
