"""Returns E[g^2] instead of Var[g]."""

FAILS = ["test_estimator_variance"]
MISCONCEPTION = "estimator_variance.no_squared_mean"


def estimator_variance(theta, means, stds, baseline=0.0):
    s = float(sigmoid(theta))
    return float(
        s * (1 - s) ** 2 * ((means[1] - baseline) ** 2 + stds[1] ** 2)
        + (1 - s) * s**2 * ((means[0] - baseline) ** 2 + stds[0] ** 2)
    )
