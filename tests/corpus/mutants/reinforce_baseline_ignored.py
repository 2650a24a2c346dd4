"""Never subtracts the baseline."""

FAILS = ["test_reinforce_exact"]
MISCONCEPTION = "reinforce.baseline_ignored"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return grad_log_prob(theta, actions) * np.asarray(rewards, dtype=float)
