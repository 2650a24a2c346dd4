"""Vectorised numpy: fancy indexing, np.add.at and np.bincount, einsum; GAE as a matrix of
(gamma lambda)^(k - t) on the upper triangle."""


def surrogate_loss(logits, states, actions, advantages):
    log_pi = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -(log_pi[states, actions] * advantages.detach()).sum() / states.shape[0]


def fit_critic_monte_carlo(states, rewards, gamma, n_states):
    states = np.asarray(states)
    n, T = states.shape
    returns = rewards_to_go(rewards, gamma)
    cells = np.arange(T) * n_states + states  # flat index of (t, s_t)
    sums = np.bincount(cells.ravel(), weights=returns.ravel(), minlength=T * n_states)
    counts = np.bincount(cells.ravel(), minlength=T * n_states)
    return np.divide(sums, counts, out=np.zeros(T * n_states), where=counts > 0).reshape(
        T, n_states
    )


def monte_carlo_advantages(rewards, states, values, gamma):
    states = np.asarray(states)
    return rewards_to_go(rewards, gamma) - np.asarray(values)[np.arange(states.shape[1]), states]


def td_errors(rewards, states, values, gamma):
    states, values = np.asarray(states), np.asarray(values, dtype=float)
    T = states.shape[1]
    padded = np.vstack([values, np.zeros((1, values.shape[1]))])  # V_T = 0
    following = np.concatenate([states[:, 1:], np.zeros_like(states[:, :1])], axis=1)
    return (
        np.asarray(rewards, dtype=float)
        + gamma * padded[np.arange(1, T + 1), following]
        - values[np.arange(T), states]
    )


def gae_advantages(rewards, states, values, gamma, lam):
    states, values = np.asarray(states), np.asarray(values, dtype=float)
    T = states.shape[1]
    padded = np.vstack([values, np.zeros((1, values.shape[1]))])
    following = np.concatenate([states[:, 1:], np.zeros_like(states[:, :1])], axis=1)
    delta = (
        np.asarray(rewards, dtype=float)
        + gamma * padded[np.arange(1, T + 1), following]
        - values[np.arange(T), states]
    )
    lag = np.arange(T)[None, :] - np.arange(T)[:, None]  # k - t
    weights = np.where(lag >= 0, (gamma * lam) ** np.maximum(lag, 0), 0.0)
    return delta @ weights.T


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    states, actions, rewards = all_trajectories(mdp)
    probs = trajectory_probabilities(theta, mdp)
    weights = advantage_fn(rewards, states, values, mdp.gamma) * mdp.gamma ** np.arange(mdp.horizon)
    g = np.einsum("mt,mtsa->msa", weights, step_scores(theta, states, actions))
    mean = np.tensordot(probs, g, axes=1)
    variance = np.tensordot(probs, (g - mean) ** 2, axes=1)
    return mean - exact_policy_gradient(theta, mdp), variance
