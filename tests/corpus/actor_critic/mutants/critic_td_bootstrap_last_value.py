"""Clips the next step's index to the last step, so the last target bootstraps from
V_{T-1}(s_{T-1}) instead of V_T = 0.
"""

FAILS = ["test_critic_td_loss"]
MISCONCEPTION = "critic_td.bootstrap_last_value"


def critic_td_loss(values, states, rewards, gamma):
    n, T = states.shape
    steps = torch.arange(T)
    current = values[steps, states]
    after = torch.clamp(steps + 1, max=T - 1)
    next_states = torch.cat([states[:, 1:], states[:, -1:]], dim=1)
    target = (rewards + gamma * values[after, next_states]).detach()
    return 0.5 * ((target - current) ** 2).sum(dim=1).mean()
