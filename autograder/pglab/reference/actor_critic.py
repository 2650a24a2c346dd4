"""Reference math for the third assignment, ``actor_critic``.

Same episodic conventions as ``pglab.reference.rewards_to_go`` (imported, never copied):
an ``EpisodicMDP`` with S states, A actions, horizon T and discount gamma; the policy
pi(a | s) = softmax(theta[s])_a with logits theta of shape (S, A); an episode is
(s_0, a_0, r_0, ..., s_{T-1}, a_{T-1}, r_{T-1}) stored as three (n, T) arrays.  s_T is never
sampled: every quantity below takes V_T = 0.  Values are time-indexed, V of shape (T, S),
V[t, s] = V_t(s).

* Surrogate loss.  L(theta) = -(1/n) sum_i sum_t log pi(a_{i,t} | s_{i,t}) A_{i,t}, the
  advantages A held constant.  Its gradient is minus the mean of the per-episode estimates
  g_i = sum_t score_{i,t} A_{i,t}.  With A_t = gamma^t Adv_t (the start-discount factor of
  ``rewards_to_go``'s convention, which the caller folds into the weights), minus the gradient
  is the actor-critic estimate of grad J_gamma.
* Critics.  ``fit_critic_monte_carlo``: tabular least squares of G_t on the cell (t, s_t),
  i.e. the mean of G_t over the visits of each cell.  ``fit_critic_td0``: the batch TD(0)
  solution, least squares of the bootstrapped target r_t + gamma V_{t+1}(s_{t+1}) (V_T = 0)
  held constant; with time-indexed values it is solved exactly backwards in t.
  ``td0_critic_step``: one semi-gradient step on the same squared TD error (the target held
  constant), whose fixed point is the batch TD(0) solution.  Cells no episode visits keep 0.
* Advantage estimators, each (n, T) from rewards, states, values (T, S) and gamma:
      Monte Carlo   A_t = G_t - V_t(s_t)
      TD error      delta_t = r_t + gamma V_{t+1}(s_{t+1}) - V_t(s_t)
      n-step        A_t = sum_{k<m} gamma^k r_{t+k} + gamma^m V_{t+m}(s_{t+m}) - V_t(s_t),
                    m = min(n, T - t) (never past the horizon)
      GAE(lambda)   A_t = delta_t + gamma lambda A_{t+1}, A_T = 0 (backward recursion),
                    i.e. sum_k (gamma lambda)^k delta_{t+k}.
* The policy-gradient estimator built on an advantage estimator is
  g = sum_t gamma^t score_t A_t, and its exact mean, bias (mean - grad J) and per-component
  variance follow by enumerating every trajectory with its probability.

This module is the single source of truth for the notebook's checks, probes and catalogue.
It never ships to students.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from pglab.reference.rewards_to_go import (
    EpisodicMDP,
    FloatArray,
    enumerate_trajectories,
    exact_policy_gradient,
    log_softmax,
    rewards_to_go,
    state_values,
    step_scores,
)

__all__ = [
    "ADVANTAGE_ESTIMATORS",
    "exact_advantage_estimator_bias",
    "exact_advantage_estimator_mean",
    "exact_advantage_estimator_variance",
    "exact_values",
    "fit_critic_monte_carlo",
    "fit_critic_td0",
    "gae_advantages",
    "monte_carlo_advantages",
    "n_step_advantages",
    "next_values",
    "policy_gradient_estimates",
    "start_discounted",
    "surrogate_loss",
    "surrogate_loss_gradient",
    "td0_critic_step",
    "td_errors",
]


def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _i(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.int64)


# =========================================================================== surrogate loss


def surrogate_loss(
    logits: ArrayLike, states: ArrayLike, actions: ArrayLike, advantages: ArrayLike
) -> float:
    """L = -(1/n) sum_i sum_t log pi(a_{i,t} | s_{i,t}) A_{i,t}: logits (S, A), the rest (n, T).

    Mean over episodes, sum over time steps.  The advantages are constants (no gradient).
    """
    states, actions = _i(states), _i(actions)
    log_pi = log_softmax(logits)[states, actions]  # (n, T)
    return float(-(log_pi * _f(advantages)).sum(axis=-1).mean())


def surrogate_loss_gradient(
    logits: ArrayLike, states: ArrayLike, actions: ArrayLike, advantages: ArrayLike
) -> FloatArray:
    """dL/dlogits = -(1/n) sum_i sum_t A_{i,t} score_{i,t}: (S, A).

    score_t = grad log pi(a_t | s_t) (``step_scores``), the advantages held constant.
    """
    return -policy_gradient_estimates(logits, states, actions, advantages).mean(axis=0)


def policy_gradient_estimates(
    theta: ArrayLike, states: ArrayLike, actions: ArrayLike, weights: ArrayLike
) -> FloatArray:
    """Per-episode g_i = sum_t weights_{i,t} score_{i,t}: (n, S, A).

    With weights gamma^t A_t (``start_discounted``) this is the actor-critic estimate of
    grad J_gamma built on the advantage estimate A.
    """
    return np.einsum("nt,ntsa->nsa", _f(weights), step_scores(theta, states, actions))


def start_discounted(advantages: ArrayLike, gamma: float) -> FloatArray:
    """gamma^t A_t: the start-discount factor of step t applied to (n, T) advantages."""
    advantages = _f(advantages)
    return advantages * float(gamma) ** np.arange(advantages.shape[-1])


# =========================================================================== values and critics


def exact_values(theta: ArrayLike, mdp: EpisodicMDP) -> FloatArray:
    """V_t(s) by dynamic programming, V_T = 0, V_t = sum_a pi(a|s)(R + gamma P V_{t+1}): (T, S).

    The same recursion as ``rewards_to_go.state_values`` (which this calls).
    """
    return state_values(theta, mdp)


def next_values(values: ArrayLike, states: ArrayLike) -> FloatArray:
    """V_{t+1}(s_{t+1}) for t = 0..T-1, with V_T = 0 in the last column: (n, T)."""
    values, states = _f(values), _i(states)
    T = states.shape[-1]
    out = np.zeros(states.shape)
    out[..., :-1] = values[np.arange(1, T), states[..., 1:]]
    return out


def _current_values(values: ArrayLike, states: ArrayLike) -> FloatArray:
    """V_t(s_t): (n, T)."""
    states = _i(states)
    return _f(values)[np.arange(states.shape[-1]), states]


def _cell_means(states: np.ndarray, targets: np.ndarray, n_states: int, t: int) -> FloatArray:
    """Mean of targets[:, t] over the episodes with s_t = s, for every s (0 where unvisited)."""
    counts = np.bincount(states[:, t], minlength=n_states)
    sums = np.bincount(states[:, t], weights=targets[:, t], minlength=n_states)
    return np.divide(sums, counts, out=np.zeros(n_states), where=counts > 0)


def fit_critic_monte_carlo(
    states: ArrayLike, rewards: ArrayLike, gamma: float, n_states: int
) -> FloatArray:
    """Tabular least squares of G_t on (t, s_t): V[t, s] = mean of G_t over visits: (T, S).

    argmin_V sum_i sum_t (G_{i,t} - V[t, s_{i,t}])^2; cells never visited stay 0.
    """
    states = _i(states)
    returns = rewards_to_go(rewards, gamma)
    T = states.shape[-1]
    return np.stack([_cell_means(states, returns, n_states, t) for t in range(T)])


def fit_critic_td0(
    states: ArrayLike, rewards: ArrayLike, gamma: float, n_states: int
) -> FloatArray:
    """Batch TD(0): V[t, s] = mean over visits of r_t + gamma V[t+1, s_{t+1}], V_T = 0: (T, S).

    The fixed point of the semi-gradient TD(0) update on this batch (the bootstrapped target
    held constant); time-indexed values make it a backward pass.  Unvisited cells stay 0.
    """
    states, rewards = _i(states), _f(rewards)
    T = states.shape[-1]
    values = np.zeros((T, n_states))
    for t in range(T - 1, -1, -1):
        targets = rewards + float(gamma) * next_values(values, states)
        values[t] = _cell_means(states, targets, n_states, t)
    return values


def td0_critic_step(
    values: ArrayLike, states: ArrayLike, rewards: ArrayLike, gamma: float, lr: float
) -> FloatArray:
    """One semi-gradient step on (1/n) sum_i sum_t delta_{i,t}^2 / 2, targets held constant.

    V[t, s] += lr * (1/n) sum_i [s_{i,t} = s] delta_{i,t}, delta_t the TD error: (T, S).
    """
    values, states = _f(values).copy(), _i(states)
    delta = td_errors(rewards, states, values, gamma)
    n, T = states.shape
    np.add.at(values, (np.broadcast_to(np.arange(T), (n, T)), states), float(lr) * delta / n)
    return values


# =========================================================================== advantage estimators


def monte_carlo_advantages(
    rewards: ArrayLike, states: ArrayLike, values: ArrayLike, gamma: float
) -> FloatArray:
    """A_t = G_t - V_t(s_t), G_t the reward-to-go discounted from step t: (n, T)."""
    return rewards_to_go(rewards, gamma) - _current_values(values, states)


def td_errors(rewards: ArrayLike, states: ArrayLike, values: ArrayLike, gamma: float) -> FloatArray:
    """delta_t = r_t + gamma V_{t+1}(s_{t+1}) - V_t(s_t), V_T = 0: (n, T)."""
    return (
        _f(rewards) + float(gamma) * next_values(values, states) - _current_values(values, states)
    )


def n_step_advantages(
    rewards: ArrayLike, states: ArrayLike, values: ArrayLike, gamma: float, n_steps: int
) -> FloatArray:
    """A_t = sum_{k<m} gamma^k r_{t+k} + gamma^m V_{t+m}(s_{t+m}) - V_t(s_t): (n, T).

    m = min(n_steps, T - t): the return stops at the horizon, where V_T = 0.  n_steps >= 1;
    n_steps = 1 is the TD error, n_steps >= T the Monte Carlo advantage.
    """
    if int(n_steps) < 1:
        raise ValueError("n_steps must be at least 1")
    rewards, states, values = _f(rewards), _i(states), _f(values)
    T = rewards.shape[-1]
    boot = np.concatenate([_current_values(values, states), np.zeros(states.shape[:-1] + (1,))], -1)
    out = np.empty_like(rewards)
    for t in range(T):
        m = min(int(n_steps), T - t)
        discounts = float(gamma) ** np.arange(m)
        out[..., t] = rewards[..., t : t + m] @ discounts + float(gamma) ** m * boot[..., t + m]
    return out - boot[..., :T]


def gae_advantages(
    rewards: ArrayLike, states: ArrayLike, values: ArrayLike, gamma: float, lam: float
) -> FloatArray:
    """GAE(lambda): A_{T-1} = delta_{T-1}, A_t = delta_t + gamma lambda A_{t+1}: (n, T).

    Equivalently A_t = sum_{k=0}^{T-1-t} (gamma lambda)^k delta_{t+k}.  lambda = 0 gives the
    TD error, lambda = 1 the Monte Carlo advantage G_t - V_t(s_t).
    """
    delta = td_errors(rewards, states, values, gamma)
    out = np.empty_like(delta)
    running = np.zeros(delta.shape[:-1])
    for t in range(delta.shape[-1] - 1, -1, -1):
        running = delta[..., t] + float(gamma) * float(lam) * running
        out[..., t] = running
    return out


# Advantage estimators by name: (rewards, states, values, gamma, **params) -> (n, T).
ADVANTAGE_ESTIMATORS: dict[str, Callable[..., FloatArray]] = {
    "monte_carlo": monte_carlo_advantages,
    "td": td_errors,
    "n_step": n_step_advantages,
    "gae": gae_advantages,
}


# ====================================================================== exact bias and variance


def _enumerated_estimates(
    theta: ArrayLike, mdp: EpisodicMDP, values: ArrayLike, estimator: str, params: dict
) -> tuple[FloatArray, FloatArray]:
    """g(tau) = sum_t gamma^t score_t A_t(tau) for every trajectory tau, and p(tau)."""
    states, actions, probs = enumerate_trajectories(theta, mdp)
    rewards = mdp.R[states, actions]
    advantages = ADVANTAGE_ESTIMATORS[estimator](rewards, states, values, mdp.gamma, **params)
    weights = start_discounted(advantages, mdp.gamma)
    return policy_gradient_estimates(theta, states, actions, weights), probs


def exact_advantage_estimator_mean(
    theta: ArrayLike, mdp: EpisodicMDP, values: ArrayLike, estimator: str, **params: float
) -> FloatArray:
    """E[g] = sum_tau p(tau) sum_t gamma^t score_t A_t(tau) for a given critic V: (S, A).

    ``estimator`` names an entry of ``ADVANTAGE_ESTIMATORS``; ``params`` are its extra
    arguments (``n_steps`` for "n_step", ``lam`` for "gae").
    """
    g, probs = _enumerated_estimates(theta, mdp, values, estimator, params)
    return np.einsum("m,msa->sa", probs, g)


def exact_advantage_estimator_bias(
    theta: ArrayLike, mdp: EpisodicMDP, values: ArrayLike, estimator: str, **params: float
) -> FloatArray:
    """E[g] - grad J(theta), exact (enumeration): (S, A).  Zero for every estimator if V is
    the true V; zero for "monte_carlo" (and GAE with lambda = 1) for any V."""
    mean = exact_advantage_estimator_mean(theta, mdp, values, estimator, **params)
    return mean - exact_policy_gradient(theta, mdp)


def exact_advantage_estimator_variance(
    theta: ArrayLike, mdp: EpisodicMDP, values: ArrayLike, estimator: str, **params: float
) -> FloatArray:
    """Per-component Var[g] = sum_tau p(tau) (g(tau) - E g)^2, exact by enumeration: (S, A)."""
    g, probs = _enumerated_estimates(theta, mdp, values, estimator, params)
    mean = np.einsum("m,msa->sa", probs, g)
    return np.einsum("m,msa->sa", probs, (g - mean) ** 2)
