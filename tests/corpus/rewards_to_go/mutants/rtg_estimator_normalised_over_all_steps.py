"""Standardises G_t - b_t over every step of every episode (torch's unbiased std plus 1e-10)
before weighting the scores by gamma^t times them.

Seen in real course code: Renzhenxuexidemaimai/DeepRL_Algorithms, Common/GAE.py
(advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-10) over the whole
batch). Written here from that description.
"""

FAILS = ["test_reinforce_rewards_to_go", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "rtg_estimator.normalised_over_all_steps"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    x = rewards_to_go(rewards, gamma) - np.asarray(baseline, dtype=float)
    x = (x - x.mean()) / (x.std(ddof=1) + 1e-10)
    weights = gamma ** np.arange(x.shape[1]) * x
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
