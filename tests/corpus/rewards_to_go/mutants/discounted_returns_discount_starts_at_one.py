"""Discounts r_t by gamma^(t+1): the first reward is discounted too."""

FAILS = ["test_discounted_returns", "test_estimators_unbiased"]
MISCONCEPTION = "discounted_returns.discount_starts_at_one"


def discounted_returns(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return rewards @ gamma ** np.arange(1, rewards.shape[1] + 1)
