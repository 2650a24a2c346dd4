"""Exact quantities by explicit enumeration over actions; Q tables for the values."""


def expected_reward(theta, means):
    pi = softmax(theta)
    return sum(pi[a] * means[a] for a in range(len(pi)))


def exact_gradient(theta, means):
    pi = softmax(theta)
    total = np.zeros(len(pi))
    for a in range(len(pi)):
        total += pi[a] * grad_log_softmax(theta, np.array([a]))[0] * means[a]
    return total


def grad_log_softmax(theta, actions):
    pi = softmax(theta)
    rows = []
    for a in np.asarray(actions):
        row = -pi.copy()
        row[a] += 1.0
        rows.append(row)
    return np.array(rows).reshape(len(rows), pi.size)


def state_values(theta, mdp):
    pi = softmax(theta)
    q = np.zeros((mdp.horizon, mdp.n_states, mdp.n_actions))
    v_next = np.zeros(mdp.n_states)
    values = []
    for t in reversed(range(mdp.horizon)):
        for s in range(mdp.n_states):
            for a in range(mdp.n_actions):
                q[t, s, a] = mdp.R[s, a] + mdp.gamma * np.dot(mdp.P[s, a], v_next)
        v_next = np.array([np.dot(pi[s], q[t, s]) for s in range(mdp.n_states)])
        values.append(v_next)
    return np.array(values[::-1])
