"""Weights by the undiscounted sum of rewards. Biased when gamma < 1, so the dual-path
unbiasedness cell fails too (by design).
"""

FAILS = ["test_reinforce_total_return", "test_estimators_unbiased"]
MISCONCEPTION = "total_return.undiscounted_return"


def reinforce_total_return(theta, states, actions, rewards, gamma):
    scores = step_scores(theta, states, actions).sum(axis=1)
    return scores * np.asarray(rewards, dtype=float).sum(axis=1)[:, None, None]
