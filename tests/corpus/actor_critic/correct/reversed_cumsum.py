"""Reversed cumulative sums: returns and GAE as reversed cumsums of discounted terms rescaled
by the inverse discount (with a zero decay handled on its own); the critic's target detached
by `with torch.no_grad()`."""


def _reversed_discounted_cumsum(x, decay):
    x = np.asarray(x, dtype=float)
    if decay == 0:
        return x.copy()
    T = x.shape[1]
    powers = decay ** np.arange(T)
    return np.flip(np.cumsum(np.flip(x * powers, axis=1), axis=1), axis=1) / powers


def critic_td_loss(values, states, rewards, gamma):
    n, T = states.shape
    with torch.no_grad():
        padded = torch.cat([values, torch.zeros(1, values.shape[1], dtype=values.dtype)])
        following = torch.cat([states[:, 1:], torch.zeros(n, 1, dtype=states.dtype)], dim=1)
        target = rewards + gamma * padded[torch.arange(1, T + 1), following]
    current = values[torch.arange(T), states]
    return 0.5 * ((target - current) ** 2).sum() / n


def monte_carlo_advantages(rewards, states, values, gamma):
    states = np.asarray(states)
    returns = _reversed_discounted_cumsum(rewards, gamma)
    return returns - np.asarray(values)[np.arange(states.shape[1]), states]


def gae_advantages(rewards, states, values, gamma, lam):
    states, values = np.asarray(states), np.asarray(values, dtype=float)
    n, T = states.shape
    following = np.zeros((n, T))
    following[:, :-1] = values[np.arange(1, T), states[:, 1:]]
    delta = np.asarray(rewards, dtype=float) + gamma * following - values[np.arange(T), states]
    return _reversed_discounted_cumsum(delta, gamma * lam)
