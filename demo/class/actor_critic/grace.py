"""Grace differentiates through the TD target too (the residual gradient): her critic's loss
does not hold r_t + gamma V_{t+1}(s_{t+1}) constant."""


def critic_td_loss(values, states, rewards, gamma):
    n, T = states.shape
    steps = torch.arange(T)
    current = values[steps, states]
    following = torch.cat(
        [values[steps[1:], states[:, 1:]], torch.zeros(n, 1, dtype=values.dtype)], 1
    )
    return 0.5 * ((rewards + gamma * following - current) ** 2).sum(dim=1).mean()
