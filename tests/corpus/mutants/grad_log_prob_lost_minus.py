"""+sigmoid(theta) as the score of action 0."""

FAILS = ["test_grad_log_prob", "test_numerical_stability"]
MISCONCEPTION = "grad_log_prob.lost_minus_for_action0"


def grad_log_prob(theta, actions):
    s = sigmoid(theta)
    return np.where(np.asarray(actions) == 1, 1.0 - s, s)
