"""Minimises +mean log pi * A: the loss written as the objective itself, so gradient
descent would lower J.
"""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.sign"


def surrogate_loss(logits, states, actions, advantages):
    log_pi = torch.log_softmax(logits, dim=-1)[states, actions]
    return (log_pi * advantages.detach()).sum(dim=-1).mean()
