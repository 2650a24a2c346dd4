"""GAE as the lambda-return minus the value (the recursion on G^lambda_t = r_t + gamma
((1 - lambda) V_{t+1} + lambda G^lambda_{t+1})); n-step as a backward recursion over a window;
the Monte Carlo critic by least squares on one-hot (t, s) features (np.linalg.lstsq: a column
no episode visits gets the minimal-norm 0)."""


def fit_critic_monte_carlo(states, rewards, gamma, n_states):
    states = np.asarray(states)
    n, T = states.shape
    returns = rewards_to_go(rewards, gamma)
    features = np.zeros((n * T, T * n_states))
    features[np.arange(n * T), (np.arange(T) * n_states + states).ravel()] = 1.0
    solution, *_ = np.linalg.lstsq(features, returns.ravel(), rcond=None)
    return solution.reshape(T, n_states)


def gae_advantages(rewards, states, values, gamma, lam):
    states, values = np.asarray(states), np.asarray(values, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    n, T = states.shape
    current = values[np.arange(T), states]
    following = np.zeros((n, T))
    following[:, :-1] = current[:, 1:]
    lambda_return = np.zeros(n)
    out = np.zeros((n, T))
    for t in range(T - 1, -1, -1):
        if t == T - 1:
            lambda_return = rewards[:, t]
        else:
            lambda_return = rewards[:, t] + gamma * (
                (1 - lam) * following[:, t] + lam * lambda_return
            )
        out[:, t] = lambda_return - current[:, t]
    return out


def n_step_advantages(rewards, states, values, gamma, n_steps):
    states, values = np.asarray(states), np.asarray(values, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    n, T = states.shape
    current = values[np.arange(T), states]
    out = np.zeros((n, T))
    for t in range(T):
        end = min(t + n_steps, T)
        ret = current[:, end] if end < T else np.zeros(n)
        for k in range(end - 1, t - 1, -1):
            ret = rewards[:, k] + gamma * ret
        out[:, t] = ret - current[:, t]
    return out
