"""Returns the estimator's mean as its bias: grad J never subtracted."""

FAILS = ["test_advantage_bias_variance"]
MISCONCEPTION = "bias_variance.bias_is_mean"


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    states, actions, rewards = all_trajectories(mdp)
    probs = trajectory_probabilities(theta, mdp)
    advantages = np.asarray(advantage_fn(rewards, states, values, mdp.gamma), dtype=float)
    weights = advantages * mdp.gamma ** np.arange(mdp.horizon)
    g = np.einsum("mt,mtsa->msa", weights, step_scores(theta, states, actions))
    mean = np.einsum("m,msa->sa", probs, g)
    bias = mean
    variance = np.einsum("m,msa->sa", probs, (g - mean) ** 2)
    return bias, variance
