"""Bias and variance from the first two moments, Var = E[g^2] - E[g]^2, with the trajectory
probabilities as a matrix product; td_errors and the Monte Carlo advantages from list
comprehensions."""


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    states, actions, rewards = all_trajectories(mdp)
    probs = trajectory_probabilities(theta, mdp)
    T = mdp.horizon
    advantages = np.asarray(advantage_fn(rewards, states, values, mdp.gamma), dtype=float)
    scores = step_scores(theta, states, actions)
    g = sum(mdp.gamma**t * advantages[:, t, None, None] * scores[:, t] for t in range(T))
    flat = g.reshape(len(probs), -1)
    first = probs @ flat
    second = probs @ flat**2
    shape = np.shape(theta)
    return (
        first.reshape(shape) - exact_policy_gradient(theta, mdp),
        (second - first**2).reshape(shape),
    )


def td_errors(rewards, states, values, gamma):
    T = len(states[0])
    return np.array(
        [
            [
                r[t] + (gamma * values[t + 1][s[t + 1]] if t + 1 < T else 0.0) - values[t][s[t]]
                for t in range(T)
            ]
            for r, s in zip(np.asarray(rewards).tolist(), np.asarray(states).tolist())
        ]
    )


def monte_carlo_advantages(rewards, states, values, gamma):
    out = []
    for r, s in zip(np.asarray(rewards, dtype=float).tolist(), np.asarray(states).tolist()):
        T = len(r)
        out.append(
            [sum(gamma**k * r[t + k] for k in range(T - t)) - values[t][s[t]] for t in range(T)]
        )
    return np.array(out)
