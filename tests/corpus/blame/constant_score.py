"""Gaming: a score that ignores theta (a - 1/2), and callers built on it. A constant helper
makes a caller "right" without telling a right caller from a wrong one, so none is excused;
test_reinforce_unbiased sees one theta only, and the helper is found constant across cells.

Callee relations: reinforce_estimates <- grad_log_prob (test_reinforce_exact,
test_reinforce_unbiased); optimal_baseline <- log_prob, grad_log_prob.
"""

FAILS = [
    "test_grad_log_prob",
    "test_reinforce_exact",
    "test_reinforce_unbiased",
    "test_optimal_baseline",
    "test_numerical_stability",
]
FLAGS = []


def grad_log_prob(theta, actions):
    return np.asarray(actions, dtype=float) - 0.5


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return grad_log_prob(theta, actions) * (np.asarray(rewards, dtype=float) - baseline)


def optimal_baseline(theta, means):
    both = np.array([0, 1])
    weights = np.exp(log_prob(theta, both)) * grad_log_prob(theta, both) ** 2
    return float(weights @ np.asarray(means, dtype=float) / weights.sum())
