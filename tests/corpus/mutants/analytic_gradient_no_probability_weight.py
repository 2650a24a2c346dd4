"""sum_a score(a) means[a] without the pi(a) weights."""

FAILS = ["test_analytic_gradient"]
MISCONCEPTION = "analytic_gradient.no_probability_weight"


def analytic_gradient(theta, means):
    s = float(sigmoid(theta))
    return float((1 - s) * means[1] - s * means[0])
