"""Writes e_a - pi(.|s_t) into every state's row."""

FAILS = ["test_step_scores", "test_estimators_unbiased"]
MISCONCEPTION = "step_scores.all_rows"


def step_scores(theta, states, actions):
    theta = np.asarray(theta, dtype=float)
    states, actions = np.asarray(states), np.asarray(actions)
    S, A = theta.shape
    rows = np.eye(A)[actions] - softmax(theta)[states]
    return np.repeat(rows[:, :, None, :], S, axis=2)
