"""Standardises the advantages over the batch, per step. Biased and with a different variance,
so both dual-path cells fail as well: they test the estimator's mean and variance, which
this mistake changes.
"""

FAILS = ["test_reinforce_value_baseline", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "baseline.normalised_over_batch"


def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
    states = np.asarray(states)
    T = states.shape[1]
    adv = rewards_to_go(rewards, gamma) - np.asarray(values, dtype=float)[np.arange(T), states]
    std = adv.std(axis=0, keepdims=True)
    adv = (adv - adv.mean(axis=0, keepdims=True)) / np.where(std > 0, std, 1.0)
    weights = gamma ** np.arange(T) * adv
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
