"""Alan's score function has the wrong sign."""


def grad_log_prob(theta, actions):
    return sigmoid(theta) - np.asarray(actions, dtype=float)


ANSWERS = {
    "answer_constant_baseline": "The expected score is zero: the probabilities sum to one, so their "
    "gradients sum to zero, and b times a zero-mean score vanishes in expectation.",
    "answer_leave_one_out": "If b_i uses r_i it depends on the sample's own action, so E[score * b_i] "
    "is not zero any more and the estimator is biased (by a factor 1 - 1/n for the batch mean).",
}
