"""means[0] - means[1] instead of means[1] - means[0]."""

FAILS = ["test_analytic_gradient"]
MISCONCEPTION = "analytic_gradient.sign"


def analytic_gradient(theta, means):
    return float(sigmoid(theta) * sigmoid(-theta) * (means[0] - means[1]))
