"""log_softmax over dim=0 (the states) instead of the last dimension (the actions)."""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.log_softmax_over_states"


def surrogate_loss(logits, states, actions, advantages):
    log_pi = torch.log_softmax(logits, dim=0)[states, actions]
    return -(log_pi * advantages.detach()).sum(dim=-1).mean()
