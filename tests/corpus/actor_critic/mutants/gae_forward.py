"""The GAE recursion run forwards in time: A_t collects delta_0..delta_t.
With the true V this is still unbiased (earlier TD errors have zero mean given the past), so
only its own cell fails.
"""

FAILS = ["test_gae_advantages"]
MISCONCEPTION = "gae.forward"


def gae_advantages(rewards, states, values, gamma, lam):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    n, T = states.shape
    current = values[np.arange(T), states]
    nxt = np.zeros((n, T))
    nxt[:, :-1] = values[np.arange(1, T), states[:, 1:]]
    delta = rewards + gamma * nxt - current
    out = np.zeros((n, T))
    running = np.zeros(n)
    for t in range(T):
        running = delta[:, t] + gamma * lam * running
        out[:, t] = running
    return out
