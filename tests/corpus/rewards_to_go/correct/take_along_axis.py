"""Fancy indexing with take_along_axis and put_along_axis; values with a stacked Q recursion."""


def grad_log_softmax(theta, actions):
    pi = softmax(theta)
    actions = np.asarray(actions).reshape(-1, 1)
    out = np.tile(-pi, (actions.shape[0], 1))
    np.put_along_axis(out, actions, np.take_along_axis(out, actions, axis=1) + 1.0, axis=1)
    return out


def step_scores(theta, states, actions):
    theta = np.asarray(theta, dtype=float)
    states, actions = np.asarray(states), np.asarray(actions)
    S, A = theta.shape
    pi = softmax(theta)
    rows = -pi[states]  # (n, T, A)
    np.put_along_axis(
        rows, actions[..., None], np.take_along_axis(rows, actions[..., None], -1) + 1.0, -1
    )
    mask = states[..., None] == np.arange(S)  # (n, T, S)
    return mask[..., None] * rows[..., None, :]


def state_values(theta, mdp):
    pi = softmax(theta)
    values = [np.zeros(mdp.n_states)]
    for _ in range(mdp.horizon):
        q = mdp.R + mdp.gamma * np.einsum("sap,p->sa", mdp.P, values[-1])
        values.append(np.einsum("sa,sa->s", pi, q))
    return np.stack(values[:0:-1])


def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
    states = np.asarray(states)
    baseline = np.take_along_axis(np.asarray(values, dtype=float), states.T, axis=1).T
    return reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)
