"""Averages the per-step terms over time instead of summing them. Its mean is grad J / T and
its variance 1/T^2 of the right one (below the baseline estimator's), so both dual-path cells
fail too: they test the mean and the variance this mistake changes."""

FAILS = ["test_reinforce_rewards_to_go", "test_estimators_unbiased"]
MISCONCEPTION = "rtg_estimator.mean_over_time"


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    T = rewards.shape[1]
    weights = gamma ** np.arange(T) * (rewards_to_go(rewards, gamma) - baseline)
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions)) / T
