"""Edsger never detaches the advantages: with a learned critic, the actor's loss also trains
the critic."""


def surrogate_loss(logits, states, actions, advantages):
    log_pi = torch.log_softmax(logits, dim=-1)[states, actions]
    return -(log_pi * advantages).sum(dim=-1).mean()
