"""Every function written with torch tensors (the numpy ones convert in and out); the
surrogate with log_softmax and index_select, advantages through .detach().clone()."""


def _t(x, dtype=torch.float64):
    return torch.as_tensor(np.asarray(x), dtype=dtype)


def surrogate_loss(logits, states, actions, advantages):
    n, T = states.shape
    weights = advantages.detach().clone()
    rows = torch.log_softmax(logits, dim=1).index_select(0, states.reshape(-1))
    log_pi = rows[torch.arange(n * T), actions.reshape(-1)].reshape(n, T)
    return -(log_pi * weights).sum() / n


def fit_critic_monte_carlo(states, rewards, gamma, n_states):
    s, r = _t(states, torch.int64), _t(rewards)
    n, T = s.shape
    returns = torch.zeros(n, T, dtype=torch.float64)
    running = torch.zeros(n, dtype=torch.float64)
    for t in range(T - 1, -1, -1):
        running = r[:, t] + gamma * running
        returns[:, t] = running
    onehot = torch.nn.functional.one_hot(s, n_states).to(torch.float64)  # (n, T, S)
    counts = onehot.sum(dim=0)
    sums = (onehot * returns[:, :, None]).sum(dim=0)
    return torch.where(counts > 0, sums / counts.clamp(min=1), torch.zeros(())).numpy()


def fit_critic_td0(states, rewards, gamma, n_states):
    s, r = _t(states, torch.int64), _t(rewards)
    n, T = s.shape
    values = torch.zeros(T + 1, n_states, dtype=torch.float64)
    onehot = torch.nn.functional.one_hot(s, n_states).to(torch.float64)
    counts = onehot.sum(dim=0)
    for t in range(T - 1, -1, -1):
        after = values[t + 1, s[:, t + 1]] if t + 1 < T else torch.zeros(n, dtype=torch.float64)
        sums = onehot[:, t].T @ (r[:, t] + gamma * after)
        values[t] = torch.where(counts[t] > 0, sums / counts[t].clamp(min=1), torch.zeros(()))
    return values[:T].numpy()


def td_errors(rewards, states, values, gamma):
    s, r, v = _t(states, torch.int64), _t(rewards), _t(values)
    n, T = s.shape
    padded = torch.cat([v, torch.zeros(1, v.shape[1], dtype=torch.float64)])
    following = torch.cat([s[:, 1:], torch.zeros(n, 1, dtype=torch.int64)], dim=1)
    steps = torch.arange(T)
    return (r + gamma * padded[steps + 1, following] - v[steps, s]).numpy()


def gae_advantages(rewards, states, values, gamma, lam):
    delta = _t(td_errors(rewards, states, values, gamma))
    out = torch.zeros_like(delta)
    running = torch.zeros(delta.shape[0], dtype=torch.float64)
    for t in reversed(range(delta.shape[1])):
        running = delta[:, t] + gamma * lam * running
        out[:, t] = running
    return out.numpy()
