"""Forgets the derivative of the sigmoid."""

FAILS = ["test_analytic_gradient"]
MISCONCEPTION = "analytic_gradient.missing_sigmoid_derivative"


def analytic_gradient(theta, means):
    return float(means[1] - means[0])
