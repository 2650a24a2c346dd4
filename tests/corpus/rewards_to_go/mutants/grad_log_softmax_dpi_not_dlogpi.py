"""The row of the softmax Jacobian diag(pi) - pi pi^T for the chosen action, without dividing by
pi(a): d pi(a) / d theta instead of d log pi(a) / d theta.

Seen in real course code: Malaldiallo93/holbertonschool-machine_learning,
reinforcement_learning/policy_gradients/policy_gradient.py (the gradient is the Jacobian's column
for the action times the state, with no division by the action's probability). Written here
from that description.
"""

FAILS = ["test_grad_log_softmax"]
MISCONCEPTION = "grad_log_softmax.dpi_not_dlogpi"


def grad_log_softmax(theta, actions):
    pi = softmax(theta)
    jacobian = np.diag(pi) - np.outer(pi, pi)
    return jacobian[np.asarray(actions, dtype=int)]
