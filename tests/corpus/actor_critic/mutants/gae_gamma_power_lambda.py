"""Decay gamma ** lam per step instead of gamma * lam. Later TD errors have zero mean with the
true V, so the unbiasedness cell still passes.
"""

FAILS = ["test_gae_advantages"]
MISCONCEPTION = "gae.gamma_power_lambda"


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
    for t in range(T - 1, -1, -1):
        running = delta[:, t] + gamma**lam * running
        out[:, t] = running
    return out
