"""Returns the batch mean of the estimates, shape (K,). The Monte Carlo cell cannot average a
batch mean either: both cells of reinforce_estimates fail, as in reinforce.
"""

FAILS = ["test_reinforce_estimates", "test_reinforce_unbiased"]
MISCONCEPTION = "reinforce.batch_mean"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    centred = np.asarray(rewards, dtype=float) - np.asarray(baseline, dtype=float)
    return (grad_log_softmax(theta, actions) * centred[:, None]).mean(axis=0)
