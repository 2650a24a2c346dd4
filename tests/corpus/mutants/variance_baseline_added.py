"""(means[a] + b)^2 instead of (means[a] - b)^2."""

FAILS = ["test_estimator_variance"]
MISCONCEPTION = "estimator_variance.baseline_added"


def estimator_variance(theta, means, stds, baseline=0.0):
    s = float(sigmoid(theta))
    second = s * (1 - s) ** 2 * ((means[1] + baseline) ** 2 + stds[1] ** 2) + (1 - s) * s**2 * (
        (means[0] + baseline) ** 2 + stds[0] ** 2
    )
    return float(second - analytic_gradient(theta, means) ** 2)
