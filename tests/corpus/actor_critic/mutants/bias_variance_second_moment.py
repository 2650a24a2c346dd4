"""The variance as E[g^2], not centred."""

FAILS = ["test_advantage_bias_variance"]
MISCONCEPTION = "bias_variance.second_moment"


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    states, actions, rewards = all_trajectories(mdp)
    probs = trajectory_probabilities(theta, mdp)
    advantages = np.asarray(advantage_fn(rewards, states, values, mdp.gamma), dtype=float)
    weights = advantages * mdp.gamma ** np.arange(mdp.horizon)
    g = np.einsum("mt,mtsa->msa", weights, step_scores(theta, states, actions))
    mean = np.einsum("m,msa->sa", probs, g)
    bias = mean - exact_policy_gradient(theta, mdp)
    variance = np.einsum("m,msa->sa", probs, g**2)
    return bias, variance
