"""Ignores the baseline argument. The Monte Carlo cell uses no baseline, so it still passes."""

FAILS = ["test_reinforce_estimates"]
MISCONCEPTION = "reinforce.baseline_ignored"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return grad_log_softmax(theta, actions) * np.asarray(rewards, dtype=float)[:, None]
