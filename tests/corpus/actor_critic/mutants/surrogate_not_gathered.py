"""Takes the log-softmax rows of the visited states and sums them over every action, never
picking the taken action out.
"""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.not_gathered"


def surrogate_loss(logits, states, actions, advantages):
    log_probs = torch.log_softmax(logits, dim=-1)[states]  # (n, T, A)
    return -(log_probs.sum(dim=-1) * advantages.detach()).sum(dim=-1).mean()
