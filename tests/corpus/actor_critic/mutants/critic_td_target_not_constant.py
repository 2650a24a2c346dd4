"""The residual-gradient mistake: the bootstrapped target is not detached, so the gradient
also moves V_{t+1}(s_{t+1}).
"""

FAILS = ["test_critic_td_loss"]
MISCONCEPTION = "critic_td.target_not_constant"


def critic_td_loss(values, states, rewards, gamma):
    n, T = states.shape
    steps = torch.arange(T)
    current = values[steps, states]
    nxt = torch.cat([values[steps[1:], states[:, 1:]], torch.zeros(n, 1, dtype=values.dtype)], 1)
    target = rewards + gamma * nxt
    return 0.5 * ((target - current) ** 2).sum(dim=1).mean()
