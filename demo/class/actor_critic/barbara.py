"""Barbara runs the GAE recursion forwards in time: A_t collects delta_0, ..., delta_t."""


def gae_advantages(rewards, states, values, gamma, lam):
    deltas = td_errors(rewards, states, values, gamma)
    out = np.zeros_like(deltas)
    running = np.zeros(deltas.shape[0])
    for t in range(deltas.shape[1]):
        running = deltas[:, t] + gamma * lam * running
        out[:, t] = running
    return out
