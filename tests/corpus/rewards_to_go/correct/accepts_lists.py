"""Works on plain lists as well as arrays, and returns nested lists."""


def discounted_returns(rewards, gamma):
    return [
        sum(gamma**t * r for t, r in enumerate(episode)) for episode in np.asarray(rewards).tolist()
    ]


def rewards_to_go(rewards, gamma):
    out = []
    for episode in np.asarray(rewards, dtype=float).tolist():
        togo = [0.0] * len(episode)
        running = 0.0
        for t in range(len(episode) - 1, -1, -1):
            running = episode[t] + gamma * running
            togo[t] = running
        out.append(togo)
    return out


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    scores = grad_log_softmax(theta, list(actions))
    baselines = np.broadcast_to(np.asarray(baseline, dtype=float), np.shape(rewards)).tolist()
    return [list(row * (r - b)) for row, r, b in zip(scores, list(rewards), baselines)]
