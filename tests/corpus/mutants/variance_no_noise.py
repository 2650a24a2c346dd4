"""Leaves the reward noise out of the variance."""

FAILS = ["test_estimator_variance"]
MISCONCEPTION = "estimator_variance.no_reward_noise"


def estimator_variance(theta, means, stds, baseline=0.0):
    s = float(sigmoid(theta))
    second = (
        s * (1 - s) ** 2 * (means[1] - baseline) ** 2 + (1 - s) * s**2 * (means[0] - baseline) ** 2
    )
    return float(second - analytic_gradient(theta, means) ** 2)
