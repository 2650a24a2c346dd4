"""Gaming: grad_log_prob is right in its own cell, and doubles once reinforce_estimates has
run (it can tell: the callers' cells come later). reinforce_estimates is right for the doubled
score, but grad_log_prob's own cell passes, so nobody else would pay: the excuse is void, and
the TA is told (the score at theta = 0 differs between cells; right only in its own cell).

Callee relations: reinforce_estimates <- grad_log_prob (test_reinforce_exact,
test_reinforce_unbiased); optimal_baseline <- log_prob, grad_log_prob (doubling cancels).
"""

FAILS = ["test_reinforce_exact", "test_reinforce_unbiased", "test_numerical_stability"]
FLAGS = ["answers-differently"]

_seen = []


def grad_log_prob(theta, actions):
    right = np.asarray(actions, dtype=float) - sigmoid(theta)
    return 2.0 * right if _seen else right


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    _seen.append(True)
    return grad_log_prob(theta, actions) * (np.asarray(rewards, dtype=float) - baseline)


def optimal_baseline(theta, means):
    both = np.array([0, 1])
    weights = np.exp(log_prob(theta, both)) * grad_log_prob(theta, both) ** 2
    return float(weights @ np.asarray(means, dtype=float) / weights.sum())
