"""F.cross_entropy is minus the log-probability of the target class: the surrogate from
per-step cross-entropies; the critic's loss from F.mse_loss(reduction="sum") halved."""

import torch.nn.functional as F


def surrogate_loss(logits, states, actions, advantages):
    n, T = states.shape
    nll = F.cross_entropy(logits[states].reshape(n * T, -1), actions.reshape(-1), reduction="none")
    return (nll.reshape(n, T) * advantages.detach()).sum() / n


def critic_td_loss(values, states, rewards, gamma):
    n, T = states.shape
    current = values[torch.arange(T), states]
    following = torch.zeros(n, T, dtype=values.dtype)
    following[:, :-1] = values.detach()[torch.arange(1, T), states[:, 1:]]
    target = rewards + gamma * following
    return F.mse_loss(current, target, reduction="sum") / (2 * n)
