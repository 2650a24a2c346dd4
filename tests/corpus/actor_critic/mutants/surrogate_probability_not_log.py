"""Weights the probability pi(a_t | s_t), not its logarithm.

The detached cell compares the same gradient with respect to the logits, and the unbiasedness cell
builds its estimator from this loss's gradient: both fail too (the property they test is
broken; a charge by design, as for rewards_to_go's reinforce.sign).
"""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.probability_not_log"


def surrogate_loss(logits, states, actions, advantages):
    pi = torch.softmax(logits, dim=-1)[states, actions]
    return -(pi * advantages.detach()).sum(dim=-1).mean()
