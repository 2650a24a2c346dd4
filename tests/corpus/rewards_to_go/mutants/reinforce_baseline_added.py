"""Adds the baseline to the reward instead of subtracting it."""

FAILS = ["test_reinforce_estimates"]
MISCONCEPTION = "reinforce.baseline_added"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    centred = np.asarray(rewards, dtype=float) + np.asarray(baseline, dtype=float)
    return grad_log_softmax(theta, actions) * centred[:, None]
