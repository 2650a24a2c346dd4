"""F.mse_loss: the mean over every (episode, step) entry, and no 1/2."""

import torch.nn.functional as F

FAILS = ["test_critic_td_loss"]
MISCONCEPTION = "critic_td.mse_loss"


def critic_td_loss(values, states, rewards, gamma):
    n, T = states.shape
    steps = torch.arange(T)
    current = values[steps, states]
    nxt = torch.cat([values[steps[1:], states[:, 1:]], torch.zeros(n, 1, dtype=values.dtype)], 1)
    return F.mse_loss(current, (rewards + gamma * nxt).detach())
