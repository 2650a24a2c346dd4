"""Takes the log-softmax rows of the visited states and sums them over every action, never
picking the taken action out.

The detached cell compares the same gradient with respect to the logits, and the unbiasedness cell
builds its estimator from this loss's gradient: both fail too (the property they test is
broken; a charge by design, as for rewards_to_go's reinforce.sign).
"""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.not_gathered"


def surrogate_loss(logits, states, actions, advantages):
    log_probs = torch.log_softmax(logits, dim=-1)[states]  # (n, T, A)
    return -(log_probs.sum(dim=-1) * advantages.detach()).sum(dim=-1).mean()
