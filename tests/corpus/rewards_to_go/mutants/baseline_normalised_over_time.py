"""Standardises the advantages along time, per episode. Biased, so the dual-path unbiasedness
cell fails too (by design); the variance ordering still holds.
"""

FAILS = ["test_reinforce_value_baseline", "test_estimators_unbiased"]
MISCONCEPTION = "baseline.normalised_over_time"


def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
    states = np.asarray(states)
    T = states.shape[1]
    adv = rewards_to_go(rewards, gamma) - np.asarray(values, dtype=float)[np.arange(T), states]
    std = adv.std(axis=1, keepdims=True)
    adv = (adv - adv.mean(axis=1, keepdims=True)) / np.where(std > 0, std, 1.0)
    weights = gamma ** np.arange(T) * adv
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
