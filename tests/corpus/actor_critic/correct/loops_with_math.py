"""Plain Python loops over episodes and steps with the math module; the surrogate sums the
log-probabilities one step at a time in torch; the bias and variance loop over trajectories."""

import math


def surrogate_loss(logits, states, actions, advantages):
    n, T = states.shape
    total = torch.zeros((), dtype=logits.dtype)
    for i in range(n):
        for t in range(T):
            row = logits[states[i, t]]
            log_pi = row[actions[i, t]] - torch.logsumexp(row, dim=0)
            total = total + log_pi * advantages[i, t].item()
    return -total / n


def fit_critic_monte_carlo(states, rewards, gamma, n_states):
    states = np.asarray(states).tolist()
    rewards = np.asarray(rewards, dtype=float).tolist()
    n, T = len(states), len(states[0])
    sums = [[0.0] * n_states for _ in range(T)]
    counts = [[0] * n_states for _ in range(T)]
    for i in range(n):
        running = 0.0
        for t in range(T - 1, -1, -1):
            running = rewards[i][t] + gamma * running
            sums[t][states[i][t]] += running
            counts[t][states[i][t]] += 1
    return np.array(
        [
            [sums[t][s] / counts[t][s] if counts[t][s] else 0.0 for s in range(n_states)]
            for t in range(T)
        ]
    )


def fit_critic_td0(states, rewards, gamma, n_states):
    states = np.asarray(states).tolist()
    rewards = np.asarray(rewards, dtype=float).tolist()
    n, T = len(states), len(states[0])
    values = [[0.0] * n_states for _ in range(T + 1)]
    for t in range(T - 1, -1, -1):
        sums, counts = [0.0] * n_states, [0] * n_states
        for i in range(n):
            after = values[t + 1][states[i][t + 1]] if t + 1 < T else 0.0
            sums[states[i][t]] += rewards[i][t] + gamma * after
            counts[states[i][t]] += 1
        values[t] = [sums[s] / counts[s] if counts[s] else 0.0 for s in range(n_states)]
    return np.array(values[:T])


def td_errors(rewards, states, values, gamma):
    n, T = np.shape(states)
    out = np.zeros((n, T))
    for i in range(n):
        for t in range(T):
            after = values[t + 1][states[i][t + 1]] if t + 1 < T else 0.0
            out[i, t] = rewards[i][t] + gamma * after - values[t][states[i][t]]
    return out


def n_step_advantages(rewards, states, values, gamma, n_steps):
    n, T = np.shape(states)
    out = np.zeros((n, T))
    for i in range(n):
        for t in range(T):
            total, k = 0.0, 0
            while k < n_steps and t + k < T:
                total += math.pow(gamma, k) * rewards[i][t + k]
                k += 1
            if t + k < T:
                total += math.pow(gamma, k) * values[t + k][states[i][t + k]]
            out[i, t] = total - values[t][states[i][t]]
    return out


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    states, actions, rewards = all_trajectories(mdp)
    probs = trajectory_probabilities(theta, mdp)
    advantages = np.asarray(advantage_fn(rewards, states, values, mdp.gamma), dtype=float)
    scores = step_scores(theta, states, actions)
    estimates = []
    for m in range(len(probs)):
        g = np.zeros(np.shape(theta))
        for t in range(mdp.horizon):
            g += mdp.gamma**t * advantages[m, t] * scores[m, t]
        estimates.append(g)
    mean = sum(p * g for p, g in zip(probs, estimates))
    variance = sum(p * (g - mean) ** 2 for p, g in zip(probs, estimates))
    return mean - exact_policy_gradient(theta, mdp), variance
