"""Adds up the variances of the per-step terms gamma^t score_t A_t: the sum of the
variances instead of the variance of the sum.
"""

FAILS = ["test_advantage_bias_variance"]
MISCONCEPTION = "bias_variance.covariances_ignored"


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    states, actions, rewards = all_trajectories(mdp)
    probs = trajectory_probabilities(theta, mdp)
    advantages = np.asarray(advantage_fn(rewards, states, values, mdp.gamma), dtype=float)
    weights = advantages * mdp.gamma ** np.arange(mdp.horizon)
    terms = weights[:, :, None, None] * step_scores(theta, states, actions)  # (M, T, S, A)
    mean = np.einsum("m,msa->sa", probs, terms.sum(axis=1))
    variance = np.zeros_like(mean)
    for t in range(mdp.horizon):
        step_mean = np.einsum("m,msa->sa", probs, terms[:, t])
        variance += np.einsum("m,msa->sa", probs, (terms[:, t] - step_mean) ** 2)
    return mean - exact_policy_gradient(theta, mdp), variance
