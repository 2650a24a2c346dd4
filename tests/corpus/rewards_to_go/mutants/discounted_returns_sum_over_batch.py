"""Sums over the episodes (axis 0) instead of over time. A double charge we accept but do not
like: the solution's reinforce_total_return calls this discounted_returns, and a helper of
the wrong shape (T,) makes it raise or broadcast, so no callee formula can excuse it and the
estimator's cells fail too.
"""

FAILS = [
    "test_discounted_returns",
    "test_reinforce_total_return",
    "test_estimators_unbiased",
    "test_variance_reduction",
]
MISCONCEPTION = "discounted_returns.sum_over_batch"


def discounted_returns(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards * gamma ** np.arange(rewards.shape[1])).sum(axis=0)
