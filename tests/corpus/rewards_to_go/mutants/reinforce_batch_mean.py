"""Returns the batch mean of the estimates, shape (K,)."""

FAILS = ["test_reinforce_estimates"]
MISCONCEPTION = "reinforce.batch_mean"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    centred = np.asarray(rewards, dtype=float) - np.asarray(baseline, dtype=float)
    return (grad_log_softmax(theta, actions) * centred[:, None]).mean(axis=0)
