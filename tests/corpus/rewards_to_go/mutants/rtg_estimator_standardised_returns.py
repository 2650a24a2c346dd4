"""Standardises each episode's G_t - b_t over time with torch's unbiased std plus 1e-8 before
weighting the scores by gamma^t times them.

Seen in real course code: LeeJunho-AI/Reinforcement_Learning_Study,
REINFORCE_LunarLander/src/utils.py (compute_returns returns
(returns - returns.mean()) / (returns.std() + 1e-8) for one episode). Written here from that
description. torch's std of one step (T = 1) is nan, so this estimator returns nan there; the
solution's reinforce_value_baseline, which calls it, returns nan in the same places and is
excused, but the dual-path cells judge it as it is (its variance is not reduced).
"""

FAILS = ["test_reinforce_rewards_to_go", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "rtg_estimator.standardised_returns"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    x = rewards_to_go(rewards, gamma) - np.asarray(baseline, dtype=float)
    x = (x - x.mean(axis=1, keepdims=True)) / (x.std(axis=1, ddof=1, keepdims=True) + 1e-8)
    weights = gamma ** np.arange(x.shape[1]) * x
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
