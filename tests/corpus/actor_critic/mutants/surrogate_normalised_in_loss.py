"""Standardises the advantages over the batch inside the loss (a common PPO habit),
with torch's default std.
"""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.normalised_in_loss"


def surrogate_loss(logits, states, actions, advantages):
    adv = advantages.detach()
    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
    log_pi = torch.log_softmax(logits, dim=-1)[states, actions]
    return -(log_pi * adv).sum(dim=-1).mean()
