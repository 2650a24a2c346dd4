"""Sums over the episodes (axis 0) instead of over time."""

FAILS = ["test_discounted_returns"]
MISCONCEPTION = "discounted_returns.sum_over_batch"


def discounted_returns(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards * gamma ** np.arange(rewards.shape[1])).sum(axis=0)
