"""(b - r) instead of (r - b): every estimate has the wrong sign, so the Monte Carlo cell
fails too (as reinforce.sign does in the first assignment)."""

FAILS = ["test_reinforce_estimates", "test_reinforce_unbiased"]
MISCONCEPTION = "reinforce.sign"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    centred = np.asarray(baseline, dtype=float) - np.asarray(rewards, dtype=float)
    return grad_log_softmax(theta, actions) * centred[:, None]
