"""Standardises the advantages G_t - V_t(s_t) over every step of every episode (torch's unbiased
std plus 1e-8).

Seen in real course code: alienpenguin10/RL, 0.Learning/Reinforce/utils.py
(normalize_advantages returns (advantages - advantages.mean()) / (advantages.std() + 1e-8) on
the flattened batch). Written here from that description.
"""

FAILS = ["test_reinforce_value_baseline", "test_estimators_unbiased"]
MISCONCEPTION = "baseline.normalised_over_all_steps"


def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
    states = np.asarray(states)
    steps = np.arange(states.shape[1])
    advantages = rewards_to_go(rewards, gamma) - np.asarray(values)[steps, states]
    advantages = (advantages - advantages.mean()) / (advantages.std(ddof=1) + 1e-8)
    weights = gamma ** np.arange(states.shape[1]) * advantages
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
