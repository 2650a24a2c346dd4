"""torch.gather on the log-softmax rows and .detach() on the advantages; the critic by
gathering the visited cells from the flattened table; n-step returns by np.take_along_axis on
a zero-padded value row."""


def surrogate_loss(logits, states, actions, advantages):
    rows = torch.log_softmax(logits, dim=-1)[states]  # (n, T, A)
    log_pi = torch.gather(rows, -1, actions.unsqueeze(-1)).squeeze(-1)
    return -torch.mean(torch.sum(log_pi * advantages.detach(), dim=1))


def critic_td_loss(values, states, rewards, gamma):
    n, T = states.shape
    S = values.shape[1]
    flat = torch.cat([values.reshape(-1), torch.zeros(1, dtype=values.dtype)])
    cells = torch.arange(T) * S + states  # (n, T) index of (t, s_t)
    following = torch.cat([cells[:, 1:], torch.full((n, 1), T * S)], dim=1)  # V_T = 0
    delta = rewards + gamma * flat[following].detach() - flat[cells]
    return (delta**2).sum() / (2 * n)


def n_step_advantages(rewards, states, values, gamma, n_steps):
    states, values = np.asarray(states), np.asarray(values, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    n, T = states.shape
    # boot[:, t] = V_t(s_t), with a zero column for t = T
    boot = np.concatenate([values[np.arange(T), states], np.zeros((n, 1))], axis=1)
    padded = np.concatenate([rewards, np.zeros((n, n_steps))], axis=1)
    out = np.empty((n, T))
    for t in range(T):
        end = min(t + n_steps, T)
        discounts = gamma ** np.arange(n_steps)
        partial = padded[:, t : t + n_steps] @ discounts
        tail = np.take_along_axis(boot, np.full((n, 1), end), axis=1)[:, 0]
        out[:, t] = partial + gamma ** (end - t) * tail - boot[:, t]
    return out
