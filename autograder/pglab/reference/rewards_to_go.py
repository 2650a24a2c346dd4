"""Reference math for the softmax bandit and a short episodic task (assignment ``rewards_to_go``).

Part 1: K-armed softmax bandit.
    pi_theta(a) = exp(theta_a) / sum_b exp(theta_b), theta in R^K.
    Rewards: r | a ~ Normal(means[a], stds[a]^2).  Objective J(theta) = sum_a pi(a) means[a].
    Score: grad_theta log pi(a) = e_a - pi (one-hot of a minus the probability vector).

Part 2: a finite-horizon tabular MDP (``EpisodicMDP``; ``chain_mdp`` builds the default chain).
    States s in {0..S-1}, actions a in {0..A-1}, policy pi(a | s) = softmax(theta[s])_a with
    theta of shape (S, A).  An episode has exactly T = ``horizon`` steps t = 0..T-1:
        s_0 ~ init,  a_t ~ pi(. | s_t),  r_t = R[s_t, a_t],  s_{t+1} ~ P[s_t, a_t, .].
    (s_T is never used: the episode stops after the reward r_{T-1}.)  Rewards are a
    deterministic function of (s_t, a_t), so they are bounded by the reward table.

Discounting convention (fixed; every function below follows it):
    * The objective discounts from the episode start:
          J(theta) = E[ sum_{t=0}^{T-1} gamma^t r_t ]         (``discounted_returns``).
    * Rewards-to-go discount from the *current* step:
          G_t = sum_{k=t}^{T-1} gamma^(k-t) r_k,  so G_0 is the discounted return
      (``rewards_to_go``).
    * Hence the unbiased gradient estimators of J carry an explicit gamma^t:
          total return:        g = (sum_t score_t) G_0
          rewards-to-go:       g = sum_t gamma^t score_t G_t
          state-value baseline g = sum_t gamma^t score_t (G_t - V_t(s_t)),
      with score_t = grad_theta log pi(a_t | s_t) (an (S, A) array, zero outside row s_t).
      Dropping gamma^t (the common "sum_t score_t G_t") estimates a different vector,
      not grad J, unless gamma = 1 or T = 1.
    * Values are time-dependent because the horizon is finite:
          V_t(s) = E[G_t | s_t = s],  Q_t(s, a) = R[s, a] + gamma sum_s' P[s, a, s'] V_{t+1}(s'),
      with V_T = 0.
    * Policy gradient theorem (finite horizon, discounted from the start):
          grad J = sum_t gamma^t sum_s d_t(s) sum_a pi(a|s) grad log pi(a|s) Q_t(s, a),
      where d_t is the distribution of s_t.

This module is the single source of truth: the solution notebook, the hidden checks
and the package's tests all compare against it.  It never ships to students.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# =========================================================================== softmax policy


def softmax(theta: ArrayLike) -> FloatArray:
    """pi = exp(theta - max theta) / sum exp(theta - max theta) along the last axis.

    Subtracting the maximum makes it overflow-free for any finite logits.
    """
    theta = np.asarray(theta, dtype=np.float64)
    z = np.exp(theta - theta.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def log_softmax(theta: ArrayLike) -> FloatArray:
    """log pi = theta - logsumexp(theta) along the last axis (finite for any finite theta)."""
    theta = np.asarray(theta, dtype=np.float64)
    m = theta.max(axis=-1, keepdims=True)
    return theta - m - np.log(np.exp(theta - m).sum(axis=-1, keepdims=True))


def grad_log_softmax(theta: ArrayLike, actions: ArrayLike) -> FloatArray:
    """Score grad_theta log pi(a) = one_hot(a) - pi, one row per action: shape (n, K)."""
    pi = softmax(theta)
    actions = np.asarray(actions, dtype=np.int64)
    return np.eye(pi.shape[-1])[actions] - pi


# =========================================================================== K-armed bandit


def expected_reward(theta: ArrayLike, means: ArrayLike) -> float:
    """J(theta) = sum_a pi(a) means[a]."""
    return float(softmax(theta) @ np.asarray(means, dtype=np.float64))


def exact_gradient(theta: ArrayLike, means: ArrayLike) -> FloatArray:
    """grad J = sum_a pi(a) (e_a - pi) means[a] (enumeration over actions) = pi * (means - J)."""
    pi = softmax(theta)
    k = pi.shape[0]
    scores = grad_log_softmax(theta, np.arange(k))  # (K, K): row a is e_a - pi
    return (pi * np.asarray(means, dtype=np.float64)) @ scores


def reinforce_estimates(
    theta: ArrayLike, actions: ArrayLike, rewards: ArrayLike, baseline: ArrayLike = 0.0
) -> FloatArray:
    """Per-sample estimates g_i = (e_{a_i} - pi) (r_i - b_i): shape (n, K).

    ``baseline`` is a scalar or one value per sample.
    """
    centred = np.asarray(rewards, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    return grad_log_softmax(theta, actions) * centred[..., None]


def estimator_covariance(
    theta: ArrayLike, means: ArrayLike, stds: ArrayLike, baseline: float = 0.0
) -> FloatArray:
    """Exact Cov[g] (K, K) of one estimate g = (e_a - pi)(r - b), b a constant.

    Cov[g] = sum_a pi(a) ((m_a - b)^2 + sd_a^2) (e_a - pi)(e_a - pi)^T - grad J grad J^T.
    """
    pi = softmax(theta)
    means = np.asarray(means, dtype=np.float64)
    stds = np.asarray(stds, dtype=np.float64)
    scores = grad_log_softmax(theta, np.arange(pi.shape[0]))
    weights = pi * ((means - baseline) ** 2 + stds**2)
    second = np.einsum("a,ai,aj->ij", weights, scores, scores)
    grad = exact_gradient(theta, means)
    return second - np.outer(grad, grad)


def estimator_variance(
    theta: ArrayLike, means: ArrayLike, stds: ArrayLike, baseline: float = 0.0
) -> FloatArray:
    """Per-component Var[g_j] (K,): the diagonal of ``estimator_covariance``."""
    return np.diag(estimator_covariance(theta, means, stds, baseline)).copy()


def _categorical(cdf: FloatArray, u: FloatArray) -> IntArray:
    """Inverse-CDF draw: the number of cdf entries <= u (clipped against rounding)."""
    k = cdf.shape[-1]
    return np.minimum((u[..., None] >= cdf).sum(axis=-1), k - 1).astype(np.int64)


def sample_bandit(
    theta: ArrayLike,
    means: ArrayLike,
    stds: ArrayLike,
    n: int,
    rng: np.random.Generator,
) -> tuple[IntArray, FloatArray]:
    """Draw n (action, reward) pairs: a ~ softmax(theta), r ~ N(means[a], stds[a]^2)."""
    cdf = np.cumsum(softmax(theta))
    actions = _categorical(cdf, rng.random(n))
    noise = rng.standard_normal(n)
    rewards = (
        np.asarray(means, dtype=np.float64)[actions]
        + np.asarray(stds, dtype=np.float64)[actions] * noise
    )
    return actions, rewards


# =========================================================================== episodic MDP


@dataclass(frozen=True, eq=False)
class EpisodicMDP:
    """Finite-horizon tabular MDP.

    P[s, a, s'] transition probabilities, R[s, a] the (deterministic) reward, init[s] the
    distribution of s_0, horizon T steps, discount gamma in [0, 1].  Arrays are stored as
    read-only float64 copies.
    """

    P: FloatArray
    R: FloatArray
    init: FloatArray
    horizon: int
    gamma: float

    def __post_init__(self) -> None:
        P = np.array(self.P, dtype=np.float64)
        R = np.array(self.R, dtype=np.float64)
        init = np.array(self.init, dtype=np.float64)
        S, A = R.shape
        if P.shape != (S, A, S) or init.shape != (S,):
            raise ValueError("need P (S, A, S), R (S, A), init (S,)")
        if np.any(P < 0) or not np.allclose(P.sum(axis=-1), 1.0, rtol=0, atol=1e-12):
            raise ValueError("each P[s, a] must be a probability vector")
        if np.any(init < 0) or abs(init.sum() - 1.0) > 1e-12:
            raise ValueError("init must be a probability vector")
        if int(self.horizon) < 1 or not 0.0 <= float(self.gamma) <= 1.0:
            raise ValueError("need horizon >= 1 and 0 <= gamma <= 1")
        for name, arr in (("P", P), ("R", R), ("init", init)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "horizon", int(self.horizon))
        object.__setattr__(self, "gamma", float(self.gamma))

    @property
    def n_states(self) -> int:
        return self.R.shape[0]

    @property
    def n_actions(self) -> int:
        return self.R.shape[1]


def chain_mdp(
    n_states: int = 3, horizon: int = 4, gamma: float = 0.9, slip: float = 0.2
) -> EpisodicMDP:
    """The default chain: action 0 = left, 1 = right; the move slips the other way w.p. slip.

    Walls at both ends (a move off the chain stays put).  R[S-1, :] = 1 (the goal end),
    R[0, left] = 0.5 (a nearer, smaller lure), else 0; so rewards lie in [0, 1].
    s_0 ~ uniform over all states but the goal.
    """
    S, A = n_states, 2
    P = np.zeros((S, A, S))
    for s in range(S):
        left, right = max(s - 1, 0), min(s + 1, S - 1)
        P[s, 0, left] += 1.0 - slip
        P[s, 0, right] += slip
        P[s, 1, right] += 1.0 - slip
        P[s, 1, left] += slip
    R = np.zeros((S, A))
    R[S - 1, :] = 1.0
    R[0, 0] = 0.5
    init = np.zeros(S)
    init[: S - 1] = 1.0 / (S - 1)
    return EpisodicMDP(P=P, R=R, init=init, horizon=horizon, gamma=gamma)


# --------------------------------------------------------------------------- returns


def discounted_returns(rewards: ArrayLike, gamma: float) -> FloatArray:
    """Per-episode return sum_{t=0}^{T-1} gamma^t r_t: rewards (n, T) -> (n,)."""
    rewards = np.asarray(rewards, dtype=np.float64)
    return rewards @ (float(gamma) ** np.arange(rewards.shape[-1]))


def rewards_to_go(rewards: ArrayLike, gamma: float) -> FloatArray:
    """G_t = sum_{k=t}^{T-1} gamma^(k-t) r_k (discounted from step t): (n, T) -> (n, T).

    Backward recursion G_{T-1} = r_{T-1}, G_t = r_t + gamma G_{t+1}.
    """
    rewards = np.asarray(rewards, dtype=np.float64)
    out = np.empty_like(rewards)
    running = np.zeros(rewards.shape[:-1])
    for t in range(rewards.shape[-1] - 1, -1, -1):
        running = rewards[..., t] + gamma * running
        out[..., t] = running
    return out


# --------------------------------------------------------------------------- scores


def step_scores(theta: ArrayLike, states: ArrayLike, actions: ArrayLike) -> FloatArray:
    """score_t = grad_theta log pi(a_t | s_t): (n, T, S, A), row s_t is e_{a_t} - pi(.|s_t).

    Every other row is zero (theta[s] only enters pi(. | s)).
    """
    theta = np.asarray(theta, dtype=np.float64)
    states = np.asarray(states, dtype=np.int64)
    actions = np.asarray(actions, dtype=np.int64)
    S, A = theta.shape
    pi = softmax(theta)
    rows = np.eye(A)[actions] - pi[states]  # (n, T, A)
    out = np.zeros(states.shape + (S, A))
    n, T = states.shape
    out[np.arange(n)[:, None], np.arange(T)[None, :], states] = rows
    return out


def trajectory_scores(theta: ArrayLike, states: ArrayLike, actions: ArrayLike) -> FloatArray:
    """grad_theta log p_theta(tau) = sum_t score_t (dynamics do not depend on theta): (n, S, A)."""
    return step_scores(theta, states, actions).sum(axis=1)


# --------------------------------------------------------------------------- estimators


def reinforce_total_return(
    theta: ArrayLike, states: ArrayLike, actions: ArrayLike, rewards: ArrayLike, gamma: float
) -> FloatArray:
    """Per-episode g = (sum_t score_t) * G_0, G_0 = sum_t gamma^t r_t: (n, S, A)."""
    returns = discounted_returns(rewards, gamma)
    return trajectory_scores(theta, states, actions) * returns[:, None, None]


def reinforce_rewards_to_go(
    theta: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    rewards: ArrayLike,
    gamma: float,
    baseline: ArrayLike = 0.0,
) -> FloatArray:
    """Per-episode g = sum_t gamma^t score_t (G_t - b_t): (n, S, A).

    ``baseline`` is a scalar or an (n, T) array b_t that may depend on s_0..s_t, a_0..a_{t-1}
    but not on a_t or anything after it (else the estimator is biased), nor, as a table of
    values, be fitted on the same episodes.
    """
    rewards = np.asarray(rewards, dtype=np.float64)
    T = rewards.shape[-1]
    weights = (float(gamma) ** np.arange(T)) * (
        rewards_to_go(rewards, gamma) - np.asarray(baseline, dtype=np.float64)
    )
    return np.einsum("nt,ntsa->nsa", weights, step_scores(theta, states, actions))


def state_value_baseline(values: ArrayLike, states: ArrayLike) -> FloatArray:
    """b_t = V_t(s_t) for each episode and step: values (T, S), states (n, T) -> (n, T)."""
    values = np.asarray(values, dtype=np.float64)
    states = np.asarray(states, dtype=np.int64)
    return values[np.arange(states.shape[-1]), states]


def reinforce_value_baseline(
    theta: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    rewards: ArrayLike,
    gamma: float,
    values: ArrayLike,
) -> FloatArray:
    """Per-episode g = sum_t gamma^t score_t (G_t - V_t(s_t)): (n, S, A); values is (T, S)."""
    baseline = state_value_baseline(values, states)
    return reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)


# --------------------------------------------------------------------------- sampling


def sample_episodes(
    theta: ArrayLike, mdp: EpisodicMDP, n: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray, FloatArray]:
    """Draw n episodes of mdp.horizon steps: (states, actions, rewards), each (n, T)."""
    T = mdp.horizon
    pi_cdf = np.cumsum(softmax(theta), axis=-1)  # (S, A)
    P_cdf = np.cumsum(mdp.P, axis=-1)  # (S, A, S)
    states = np.empty((n, T), dtype=np.int64)
    actions = np.empty((n, T), dtype=np.int64)
    s = _categorical(np.cumsum(mdp.init), rng.random(n))
    for t in range(T):
        a = _categorical(pi_cdf[s], rng.random(n))
        states[:, t], actions[:, t] = s, a
        if t + 1 < T:
            s = _categorical(P_cdf[s, a], rng.random(n))
    return states, actions, mdp.R[states, actions]


# --------------------------------------------------------------------------- exact quantities


def enumerate_trajectories(
    theta: ArrayLike, mdp: EpisodicMDP
) -> tuple[IntArray, IntArray, FloatArray]:
    """Every (s_0, a_0, ..., s_{T-1}, a_{T-1}) with its probability: (M, T), (M, T), (M,).

    M = (S A)^T; p(tau) = init[s_0] prod_t pi(a_t | s_t) prod_{t<T-1} P[s_t, a_t, s_{t+1}].
    """
    S, A, T = mdp.n_states, mdp.n_actions, mdp.horizon
    grid = np.array(list(itertools.product(range(S), range(A), repeat=T)), dtype=np.int64)
    states, actions = grid[:, 0::2], grid[:, 1::2]
    pi = softmax(theta)
    probs = mdp.init[states[:, 0]] * np.prod(pi[states, actions], axis=1)
    probs = probs * np.prod(mdp.P[states[:, :-1], actions[:, :-1], states[:, 1:]], axis=1)
    return states, actions, probs


def expected_return(theta: ArrayLike, mdp: EpisodicMDP) -> float:
    """J(theta) = sum_tau p(tau) sum_t gamma^t r_t, by enumerating every trajectory."""
    states, actions, probs = enumerate_trajectories(theta, mdp)
    return float(probs @ discounted_returns(mdp.R[states, actions], mdp.gamma))


def exact_policy_gradient(theta: ArrayLike, mdp: EpisodicMDP) -> FloatArray:
    """grad J = sum_tau p(tau) grad log p(tau) G_0(tau), by enumeration: (S, A)."""
    return exact_estimator_mean(theta, mdp, "total_return")


def state_distributions(theta: ArrayLike, mdp: EpisodicMDP) -> FloatArray:
    """d_t(s) = P(s_t = s): (T, S); d_0 = init, d_{t+1}(s') = sum_{s,a} d_t(s) pi(a|s) P[s,a,s']."""
    pi = softmax(theta)
    d = np.empty((mdp.horizon, mdp.n_states))
    d[0] = mdp.init
    for t in range(1, mdp.horizon):
        d[t] = np.einsum("s,sa,sap->p", d[t - 1], pi, mdp.P)
    return d


def action_values(theta: ArrayLike, mdp: EpisodicMDP) -> FloatArray:
    """Q_t(s, a) = R[s, a] + gamma sum_s' P[s, a, s'] V_{t+1}(s'), V_T = 0: (T, S, A)."""
    pi = softmax(theta)
    T = mdp.horizon
    q = np.empty((T, mdp.n_states, mdp.n_actions))
    v_next = np.zeros(mdp.n_states)
    for t in range(T - 1, -1, -1):
        q[t] = mdp.R + mdp.gamma * mdp.P @ v_next
        v_next = (pi * q[t]).sum(axis=-1)
    return q


def state_values(theta: ArrayLike, mdp: EpisodicMDP) -> FloatArray:
    """V_t(s) = E[G_t | s_t = s] = sum_a pi(a|s) Q_t(s, a): (T, S)."""
    return (softmax(theta) * action_values(theta, mdp)).sum(axis=-1)


def policy_gradient_theorem(theta: ArrayLike, mdp: EpisodicMDP) -> FloatArray:
    """grad J = sum_t gamma^t sum_s d_t(s) sum_a pi(a|s) (e_a - pi(.|s)) Q_t(s, a): (S, A).

    Only row s of grad log pi(a|s) is non-zero, so row s of the result is
    sum_t gamma^t d_t(s) sum_a pi(a|s) Q_t(s, a) (e_a - pi(.|s)).
    """
    pi = softmax(theta)
    A = mdp.n_actions
    q = action_values(theta, mdp)
    d = state_distributions(theta, mdp)
    disc = mdp.gamma ** np.arange(mdp.horizon)
    scores = np.eye(A)[None, :, :] - pi[:, None, :]  # (S, a, a'): e_a - pi(.|s)
    inner = np.einsum("sa,tsa,sab->tsb", pi, q, scores)  # (T, S, A)
    return np.einsum("t,ts,tsb->sb", disc, d, inner)


# The three per-episode estimators by name: (theta, mdp, states, actions, rewards) -> (n, S, A).
ESTIMATORS: dict[str, Callable[..., FloatArray]] = {
    "total_return": lambda theta, mdp, s, a, r: reinforce_total_return(theta, s, a, r, mdp.gamma),
    "rewards_to_go": lambda theta, mdp, s, a, r: reinforce_rewards_to_go(theta, s, a, r, mdp.gamma),
    "value_baseline": lambda theta, mdp, s, a, r: reinforce_value_baseline(
        theta, s, a, r, mdp.gamma, state_values(theta, mdp)
    ),
}


def _enumerated_estimates(
    theta: ArrayLike, mdp: EpisodicMDP, estimator: str
) -> tuple[FloatArray, FloatArray]:
    states, actions, probs = enumerate_trajectories(theta, mdp)
    g = ESTIMATORS[estimator](theta, mdp, states, actions, mdp.R[states, actions])
    return g, probs


def exact_estimator_mean(theta: ArrayLike, mdp: EpisodicMDP, estimator: str) -> FloatArray:
    """E[g] = sum_tau p(tau) g(tau) for one of ``ESTIMATORS``: (S, A)."""
    g, probs = _enumerated_estimates(theta, mdp, estimator)
    return np.einsum("m,msa->sa", probs, g)


def exact_estimator_variance(theta: ArrayLike, mdp: EpisodicMDP, estimator: str) -> FloatArray:
    """Per-component Var[g] = sum_tau p(tau) (g(tau) - E g)^2 (exact by enumeration): (S, A).

    Exact because rewards are a deterministic function of the trajectory.
    """
    g, probs = _enumerated_estimates(theta, mdp, estimator)
    mean = np.einsum("m,msa->sa", probs, g)
    return np.einsum("m,msa->sa", probs, (g - mean) ** 2)
