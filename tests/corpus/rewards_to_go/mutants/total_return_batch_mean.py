"""Returns the batch mean, shape (S, A)."""

FAILS = ["test_reinforce_total_return"]
MISCONCEPTION = "total_return.batch_mean"


def reinforce_total_return(theta, states, actions, rewards, gamma):
    scores = step_scores(theta, states, actions).sum(axis=1)
    return (scores * discounted_returns(rewards, gamma)[:, None, None]).mean(axis=0)
