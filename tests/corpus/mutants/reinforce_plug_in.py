"""A plug-in estimator: right mean, but not a score-function estimator."""

FAILS = ["test_reinforce_exact"]
MISCONCEPTION = "reinforce.plug_in"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    actions, rewards = np.asarray(actions), np.asarray(rewards, dtype=float)
    means = [rewards[actions == a].mean() if np.any(actions == a) else 0.0 for a in (0, 1)]
    return np.full(rewards.shape, analytic_gradient(theta, means))
