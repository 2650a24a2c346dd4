"""Row s_t holds one_hot(a_t) only: the -pi(.|s_t) term is missing."""

FAILS = ["test_step_scores", "test_estimators_unbiased"]
MISCONCEPTION = "step_scores.one_hot_only"


def step_scores(theta, states, actions):
    states, actions = np.asarray(states), np.asarray(actions)
    S, A = np.shape(theta)
    n, T = states.shape
    scores = np.zeros((n, T, S, A))
    for i in range(n):
        for t in range(T):
            scores[i, t, states[i, t], actions[i, t]] = 1.0
    return scores
