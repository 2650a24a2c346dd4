"""torch.distributions.Categorical(logits=...).log_prob for the surrogate, advantages held
constant by building them under torch.no_grad(); the TD(0) critic by repeated whole-table
sweeps (T sweeps reach the fixed point exactly: step t only depends on later steps)."""

from torch.distributions import Categorical


def surrogate_loss(logits, states, actions, advantages):
    with torch.no_grad():
        weights = advantages * 1.0
    log_pi = Categorical(logits=logits[states]).log_prob(actions)
    return -(log_pi * weights).sum(dim=1).mean()


def fit_critic_td0(states, rewards, gamma, n_states):
    states = np.asarray(states)
    rewards = np.asarray(rewards, dtype=float)
    n, T = states.shape
    values = np.zeros((T, n_states))
    for _ in range(T):
        following = np.zeros((n, T))
        following[:, :-1] = values[np.arange(1, T), states[:, 1:]]
        targets = rewards + gamma * following
        new = np.zeros((T, n_states))
        for t in range(T):
            counts = np.bincount(states[:, t], minlength=n_states)
            sums = np.bincount(states[:, t], weights=targets[:, t], minlength=n_states)
            new[t] = np.divide(sums, counts, out=np.zeros(n_states), where=counts > 0)
        values = new
    return values
