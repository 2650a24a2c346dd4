"""Plain Python loops and the math module everywhere; numpy only to hand arrays back."""


def softmax(theta):
    theta = np.asarray(theta, dtype=float)
    out = np.empty_like(theta)
    for index in np.ndindex(theta.shape[:-1]):
        row = [float(x) for x in theta[index]]
        top = max(row)
        weights = [math.exp(x - top) for x in row]
        total = math.fsum(weights)
        out[index] = [w / total for w in weights]
    return out


def log_softmax(theta):
    theta = np.asarray(theta, dtype=float)
    out = np.empty_like(theta)
    for index in np.ndindex(theta.shape[:-1]):
        row = [float(x) for x in theta[index]]
        top = max(row)
        log_total = top + math.log(math.fsum(math.exp(x - top) for x in row))
        out[index] = [x - log_total for x in row]
    return out


def discounted_returns(rewards, gamma):
    out = []
    for episode in np.asarray(rewards, dtype=float):
        total, weight = 0.0, 1.0
        for r in episode:
            total += weight * r
            weight *= gamma
        out.append(total)
    return np.array(out)


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros_like(rewards)
    for i in range(rewards.shape[0]):
        running = 0.0
        for t in range(rewards.shape[1] - 1, -1, -1):
            running = rewards[i, t] + gamma * running
            out[i, t] = running
    return out


def step_scores(theta, states, actions):
    theta = np.asarray(theta, dtype=float)
    n, T = np.shape(states)
    S, A = theta.shape
    pi = softmax(theta)
    out = np.zeros((n, T, S, A))
    for i in range(n):
        for t in range(T):
            s, a = int(states[i][t]), int(actions[i][t])
            for b in range(A):
                out[i, t, s, b] = (1.0 if b == a else 0.0) - pi[s, b]
    return out


def state_values(theta, mdp):
    pi = softmax(theta)
    S, A, T = mdp.n_states, mdp.n_actions, mdp.horizon
    values = [[0.0] * S for _ in range(T + 1)]
    for t in range(T - 1, -1, -1):
        for s in range(S):
            v = 0.0
            for a in range(A):
                future = math.fsum(mdp.P[s, a, s2] * values[t + 1][s2] for s2 in range(S))
                v += pi[s, a] * (mdp.R[s, a] + mdp.gamma * future)
            values[t][s] = v
    return np.array(values[:T])
