"""Uses the logit of the taken action as if it were its log-probability. Its gradient lacks the
-pi(.|s_t) part of the score; with the true V that part has mean zero (E[A_t | s_t] = 0), so
the estimator is still unbiased there and the unbiasedness cell passes: only the two cells
that compare the gradient itself fail.
"""

FAILS = ["test_surrogate_loss", "test_surrogate_loss_detached"]
MISCONCEPTION = "surrogate.raw_logits"


def surrogate_loss(logits, states, actions, advantages):
    chosen = logits[states, actions]
    return -(chosen * advantages.detach()).sum(dim=-1).mean()
