"""Estimators written episode by episode and step by step, building each (S, A) gradient."""


def reinforce_total_return(theta, states, actions, rewards, gamma):
    theta = np.asarray(theta, dtype=float)
    pi = softmax(theta)
    out = []
    for s_i, a_i, r_i in zip(states, actions, rewards):
        score = np.zeros_like(theta)
        total = 0.0
        for t, (s, a, r) in enumerate(zip(s_i, a_i, r_i)):
            score[s] -= pi[s]
            score[s, a] += 1.0
            total += gamma**t * r
        out.append(score * total)
    return np.array(out)


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    theta = np.asarray(theta, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    baseline = np.broadcast_to(np.asarray(baseline, dtype=float), rewards.shape)
    pi = softmax(theta)
    n, T = rewards.shape
    out = np.zeros((n,) + theta.shape)
    for i in range(n):
        future = 0.0
        for t in reversed(range(T)):
            future = rewards[i, t] + gamma * future
            s, a = states[i][t], actions[i][t]
            row = -pi[s].copy()
            row[a] += 1.0
            out[i, s] += gamma**t * (future - baseline[i, t]) * row
    return out


def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
    states = np.asarray(states)
    baseline = np.zeros(states.shape)
    for i in range(states.shape[0]):
        for t in range(states.shape[1]):
            baseline[i, t] = values[t][states[i, t]]
    return reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)
