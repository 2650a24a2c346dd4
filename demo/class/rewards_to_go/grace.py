"""Grace writes the usual course formula without gamma^t: biased whenever gamma < 1."""


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    weights = rewards_to_go(rewards, gamma) - np.asarray(baseline, dtype=float)
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))
