"""Uses the logit of the taken action as if it were its log-probability."""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached", "test_actor_critic_unbiased"]
MISCONCEPTION = "surrogate.raw_logits"


def surrogate_loss(logits, states, actions, advantages):
    chosen = logits[states, actions]
    return -(chosen * advantages.detach()).sum(dim=-1).mean()
