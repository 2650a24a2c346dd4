"""Averages the step scores over time instead of summing them."""

FAILS = ["test_reinforce_total_return"]
MISCONCEPTION = "total_return.mean_over_time"


def reinforce_total_return(theta, states, actions, rewards, gamma):
    scores = step_scores(theta, states, actions).mean(axis=1)
    return scores * discounted_returns(rewards, gamma)[:, None, None]
