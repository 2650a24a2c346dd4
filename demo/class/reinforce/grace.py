"""Grace writes plain Python loops with math: different code, the same math."""

import math


def log_prob(theta, actions):
    out = []
    for a in actions:
        x = theta if a == 1 else -theta
        out.append(-(max(0.0, -x) + math.log1p(math.exp(-abs(x)))))
    return np.array(out)


def grad_log_prob(theta, actions):
    p1 = 1.0 / (1.0 + math.exp(-theta)) if theta >= 0 else math.exp(theta) / (1.0 + math.exp(theta))
    return np.array([a - p1 for a in actions], dtype=float)


ANSWERS = {
    "answer_constant_baseline": "The expected score is zero: the probabilities sum to one, so their "
    "gradients sum to zero, and b times a zero-mean score vanishes in expectation.",
    "answer_leave_one_out": "If b_i uses r_i it depends on the sample's own action, so E[score * b_i] "
    "is not zero any more and the estimator is biased (by a factor 1 - 1/n for the batch mean).",
}
