"""Returns the batch mean, shape (S, A). With one (S, A) value instead of one per trajectory,
neither dual-path cell can weight the trajectories: all three cells of the estimator fail.
"""

FAILS = ["test_reinforce_total_return", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "total_return.batch_mean"


def reinforce_total_return(theta, states, actions, rewards, gamma):
    scores = step_scores(theta, states, actions).sum(axis=1)
    return (scores * discounted_returns(rewards, gamma)[:, None, None]).mean(axis=0)
