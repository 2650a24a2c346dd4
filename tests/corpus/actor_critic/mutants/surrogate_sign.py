"""Minimises +mean log pi * A: the loss written as the objective itself, so gradient
descent would lower J.

The detached cell compares the same gradient with respect to the logits, and the unbiasedness cell
builds its estimator from this loss's gradient: both fail too (the property they test is
broken; a charge by design, as for rewards_to_go's reinforce.sign).
"""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.sign"


def surrogate_loss(logits, states, actions, advantages):
    log_pi = torch.log_softmax(logits, dim=-1)[states, actions]
    return (log_pi * advantages.detach()).sum(dim=-1).mean()
