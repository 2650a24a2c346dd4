"""Gaming: a zero score function and zero (or nan) callers. Zero times anything is zero, so
every caller is "right for the grad_log_prob you wrote"; an excuse must carry information, so
none of them is excused (issue 13: this earned 8 of 19 points).

Callee relations: reinforce_estimates <- grad_log_prob (test_reinforce_exact,
test_reinforce_unbiased); estimator_variance <- grad_log_prob, analytic_gradient;
optimal_baseline <- grad_log_prob (0/0 = nan).
"""

FAILS = [
    "test_grad_log_prob",
    "test_analytic_gradient",
    "test_reinforce_exact",
    "test_reinforce_unbiased",
    "test_estimator_variance",
    "test_optimal_baseline",
    "test_numerical_stability",
]
FLAGS = []


def grad_log_prob(theta, actions):
    return np.zeros(np.shape(actions))


def analytic_gradient(theta, means):
    return 0.0


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return np.zeros(np.shape(actions))


def estimator_variance(theta, means, stds, baseline=0.0):
    return 0.0


def optimal_baseline(theta, means):
    return float("nan")
