"""Sums over the episodes as well as the steps: the gradient is n times too large."""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.sum_over_episodes"


def surrogate_loss(logits, states, actions, advantages):
    log_pi = torch.log_softmax(logits, dim=-1)[states, actions]
    return -(log_pi * advantages.detach()).sum()
