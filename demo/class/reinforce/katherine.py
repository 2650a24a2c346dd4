"""Katherine's variance forgets the reward noise, and her optimal baseline is J(theta)."""


def estimator_variance(theta, means, stds, baseline=0.0):
    s = float(sigmoid(theta))
    second = (
        s * (1 - s) ** 2 * (means[1] - baseline) ** 2 + (1 - s) * s**2 * (means[0] - baseline) ** 2
    )
    return float(second - analytic_gradient(theta, means) ** 2)


def optimal_baseline(theta, means):
    return expected_reward(theta, means)


ANSWERS = {
    "answer_constant_baseline": "The expected score is zero: the probabilities sum to one, so their "
    "gradients sum to zero, and b times a zero-mean score vanishes in expectation.",
    "answer_leave_one_out": "If b_i uses r_i it depends on the sample's own action, so E[score * b_i] "
    "is not zero any more and the estimator is biased (by a factor 1 - 1/n for the batch mean).",
}
