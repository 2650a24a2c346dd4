"""gamma and lambda swapped: lambda discounts inside each TD error. Biased even with the true
V (unless lambda = gamma), so the unbiasedness cell fails too.
"""

FAILS = ["test_gae_advantages", "test_actor_critic_unbiased"]
MISCONCEPTION = "gae.lambda_gamma_swapped"


def gae_advantages(rewards, states, values, gamma, lam):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    n, T = states.shape
    current = values[np.arange(T), states]
    nxt = np.zeros((n, T))
    nxt[:, :-1] = values[np.arange(1, T), states[:, 1:]]
    delta = rewards + lam * nxt - current
    out = np.zeros((n, T))
    running = np.zeros(n)
    for t in range(T - 1, -1, -1):
        running = delta[:, t] + lam * gamma * running
        out[:, t] = running
    return out
