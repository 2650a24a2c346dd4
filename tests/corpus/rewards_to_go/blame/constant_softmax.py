"""Gaming: a softmax that ignores theta (uniform over the last axis); the solution's functions
built on it are "right for the softmax you wrote", but a constant helper cannot tell a right
caller from a wrong one, so none is excused. The solution's grad_log_softmax, built on it,
does not depend on theta either, so reinforce_estimates is not excused by it.

Callee relations: grad_log_softmax, expected_reward, exact_gradient, step_scores and
state_values <- softmax; reinforce_estimates <- grad_log_softmax (test_reinforce_estimates,
test_reinforce_unbiased).
"""

FAILS = [
    "test_softmax",
    "test_grad_log_softmax",
    "test_reinforce_estimates",
    "test_reinforce_unbiased",
    "test_expected_reward",
    "test_exact_gradient",
    "test_step_scores",
    "test_state_values",
]
FLAGS = []


def softmax(theta):
    theta = np.asarray(theta, dtype=float)
    return np.full(theta.shape, 1.0 / theta.shape[-1])
