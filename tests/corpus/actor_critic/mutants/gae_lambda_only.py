"""Decay lam per step, no gamma. Unbiased with the true V (only later TD errors are
reweighted), so only its own cell fails.
"""

FAILS = ["test_gae_advantages"]
MISCONCEPTION = "gae.lambda_only"


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
        running = delta[:, t] + lam * running
        out[:, t] = running
    return out
