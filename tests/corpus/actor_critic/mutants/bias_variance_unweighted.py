"""Plain means over the enumerated trajectories, as if all were equally likely."""

FAILS = ["test_advantage_bias_variance"]
MISCONCEPTION = "bias_variance.unweighted"


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    states, actions, rewards = all_trajectories(mdp)
    probs = np.full(len(states), 1.0 / len(states))
    advantages = np.asarray(advantage_fn(rewards, states, values, mdp.gamma), dtype=float)
    weights = advantages * mdp.gamma ** np.arange(mdp.horizon)
    g = np.einsum("mt,mtsa->msa", weights, step_scores(theta, states, actions))
    mean = np.einsum("m,msa->sa", probs, g)
    bias = mean - exact_policy_gradient(theta, mdp)
    variance = np.einsum("m,msa->sa", probs, (g - mean) ** 2)
    return bias, variance
