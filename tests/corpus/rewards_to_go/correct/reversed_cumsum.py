"""Rewards-to-go by a reversed cumulative sum of gamma^k r_k, rescaled by gamma^-t (gamma > 0),
with gamma = 0 handled on its own; the estimators weight gamma^k r_k directly."""


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    if gamma == 0:
        return rewards.copy()
    T = rewards.shape[1]
    out = np.zeros_like(rewards)
    # sum_{k >= t} gamma^(k - t) r_k, summed in small chunks so gamma^-t stays moderate
    for t in range(T):
        out[:, t] = rewards[:, t:] @ (gamma ** np.arange(T - t))
    return out


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = np.asarray(rewards, dtype=float)
    T = rewards.shape[1]
    discounted = rewards * gamma ** np.arange(T)  # gamma^k r_k
    from_episode_start = np.flip(np.cumsum(np.flip(discounted, axis=1), axis=1), axis=1)
    # sum_t score_t sum_{k>=t} gamma^k r_k - gamma^t b_t  ==  sum_t gamma^t score_t (G_t - b_t)
    weights = from_episode_start - gamma ** np.arange(T) * np.asarray(baseline, dtype=float)
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
