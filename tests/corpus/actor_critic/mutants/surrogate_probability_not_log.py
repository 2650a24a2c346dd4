"""Weights the probability pi(a_t | s_t), not its logarithm."""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.probability_not_log"


def surrogate_loss(logits, states, actions, advantages):
    pi = torch.softmax(logits, dim=-1)[states, actions]
    return -(pi * advantages.detach()).sum(dim=-1).mean()
