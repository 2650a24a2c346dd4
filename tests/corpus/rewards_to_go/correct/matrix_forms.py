"""Everything as matrix products: a discount matrix for the rewards-to-go, one-hot tensors."""


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    T = rewards.shape[1]
    k, t = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    discount = np.where(k >= t, float(gamma) ** np.maximum(k - t, 0), 0.0)  # (k, t)
    return rewards @ discount


def discounted_returns(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return rewards @ np.power(float(gamma), np.arange(rewards.shape[1]))


def step_scores(theta, states, actions):
    theta = np.asarray(theta, dtype=float)
    S, A = theta.shape
    state_hot = np.eye(S)[np.asarray(states)]  # (n, T, S)
    action_hot = np.eye(A)[np.asarray(actions)]  # (n, T, A)
    pi_rows = state_hot @ softmax(theta)  # (n, T, A)
    return state_hot[..., :, None] * (action_hot - pi_rows)[..., None, :]


def reinforce_total_return(theta, states, actions, rewards, gamma):
    return np.einsum(
        "ntsa,n->nsa", step_scores(theta, states, actions), discounted_returns(rewards, gamma)
    )


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    advantage = rewards_to_go(rewards, gamma) - np.broadcast_to(baseline, rewards.shape)
    discount = float(gamma) ** np.arange(rewards.shape[1])
    return np.einsum("t,nt,ntsa->nsa", discount, advantage, step_scores(theta, states, actions))


def exact_gradient(theta, means):
    pi = softmax(theta)
    jacobian = np.diag(pi) - np.outer(pi, pi)  # d pi / d theta
    return jacobian @ np.asarray(means, dtype=float)
