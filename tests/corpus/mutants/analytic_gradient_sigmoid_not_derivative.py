"""sigmoid(theta) where its derivative belongs."""

FAILS = ["test_analytic_gradient"]
MISCONCEPTION = "analytic_gradient.sigmoid_not_derivative"


def analytic_gradient(theta, means):
    return float(sigmoid(theta) * (means[1] - means[0]))
