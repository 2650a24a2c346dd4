"""The last TD error bootstraps from V_{T-1}(s_{T-1}) (a clipped index). Biased even with
the true V, so the unbiasedness cell fails too.
"""

FAILS = ["test_gae_advantages", "test_actor_critic_unbiased"]
MISCONCEPTION = "gae.bootstrap_last_value"


def gae_advantages(rewards, states, values, gamma, lam):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    values = np.asarray(values, dtype=float)
    n, T = states.shape
    current = values[np.arange(T), states]
    nxt = values[
        np.minimum(np.arange(T) + 1, T - 1), np.concatenate([states[:, 1:], states[:, -1:]], axis=1)
    ]
    delta = rewards + gamma * nxt - current
    out = np.zeros((n, T))
    running = np.zeros(n)
    for t in range(T - 1, -1, -1):
        running = delta[:, t] + gamma * lam * running
        out[:, t] = running
    return out
