"""The sigmoid score per arm: only the chosen component, 1 - pi(a)."""

FAILS = ["test_grad_log_softmax"]
MISCONCEPTION = "grad_log_softmax.chosen_component_only"


def grad_log_softmax(theta, actions):
    pi = softmax(theta)
    actions = np.asarray(actions, dtype=int)
    return np.eye(pi.shape[-1])[actions] * (1.0 - pi[actions])[:, None]
