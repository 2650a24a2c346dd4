"""Right for constant advantages, but never detaches them: advantages computed from a critic
that requires grad send the loss's gradient into the critic.
"""

FAILS = ["test_surrogate_loss_detached"]
MISCONCEPTION = "surrogate.not_detached"


def surrogate_loss(logits, states, actions, advantages):
    log_pi = torch.log_softmax(logits, dim=-1)[states, actions]
    return -(log_pi * advantages).sum(dim=-1).mean()
