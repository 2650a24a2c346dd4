"""The policy normalised over the whole table, not per state."""

FAILS = ["test_step_scores", "test_estimators_unbiased"]
MISCONCEPTION = "step_scores.global_softmax"


def step_scores(theta, states, actions):
    theta = np.asarray(theta, dtype=float)
    states, actions = np.asarray(states), np.asarray(actions)
    S, A = theta.shape
    z = np.exp(theta - theta.max())
    pi = z / z.sum()
    n, T = states.shape
    out = np.zeros((n, T, S, A))
    for i in range(n):
        for t in range(T):
            out[i, t, states[i, t]] = np.eye(A)[actions[i, t]] - pi[states[i, t]]
    return out
