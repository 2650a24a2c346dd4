"""Standardises the advantages over the batch inside the loss (a common PPO habit),
with torch's default std.

The detached cell compares the same gradient with respect to the logits, and the unbiasedness cell
builds its estimator from this loss's gradient: both fail too (the property they test is
broken; a charge by design, as for rewards_to_go's reinforce.sign).
"""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.normalised_in_loss"


def surrogate_loss(logits, states, actions, advantages):
    adv = advantages.detach()
    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
    log_pi = torch.log_softmax(logits, dim=-1)[states, actions]
    return -(log_pi * adv).sum(dim=-1).mean()
