"""Averages the step scores over time instead of summing them. Its mean is grad J / T and its
variance 1/T^2 of the right one, so both dual-path cells fail too.
"""

FAILS = ["test_reinforce_total_return", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "total_return.mean_over_time"


def reinforce_total_return(theta, states, actions, rewards, gamma):
    scores = step_scores(theta, states, actions).mean(axis=1)
    return scores * discounted_returns(rewards, gamma)[:, None, None]
