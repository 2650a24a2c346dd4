"""Weights every step's score by A_t alone, without the start discount gamma^t."""

FAILS = ["test_advantage_bias_variance"]
MISCONCEPTION = "bias_variance.no_gamma_t"


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    states, actions, rewards = all_trajectories(mdp)
    probs = trajectory_probabilities(theta, mdp)
    advantages = np.asarray(advantage_fn(rewards, states, values, mdp.gamma), dtype=float)
    weights = advantages
    g = np.einsum("mt,mtsa->msa", weights, step_scores(theta, states, actions))
    mean = np.einsum("m,msa->sa", probs, g)
    bias = mean - exact_policy_gradient(theta, mdp)
    variance = np.einsum("m,msa->sa", probs, (g - mean) ** 2)
    return bias, variance
