"""Averages the discounted rewards over time instead of summing them."""

FAILS = ["test_discounted_returns", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "discounted_returns.mean_over_time"


def discounted_returns(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards * gamma ** np.arange(rewards.shape[1])).mean(axis=1)
