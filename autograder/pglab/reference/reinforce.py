"""Reference math for the two-armed sigmoid bandit (assignment ``reinforce``).

Policy: pi_theta(a=1) = sigmoid(theta), pi_theta(a=0) = 1 - sigmoid(theta) = sigmoid(-theta).
Rewards: r | a ~ Normal(means[a], stds[a]^2).  Objective: J(theta) = E[r].

Write s = sigmoid(theta).  Every quantity below follows from the score function
d/dtheta log pi_theta(a) = a - s, which is 1 - s for a = 1 and -s for a = 0.

This module is the single source of truth: the solution notebook, the hidden checks
and the package's tests all compare against it.  It never ships to students.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def sigmoid(x: ArrayLike) -> FloatArray:
    """sigmoid(x) = 1 / (1 + exp(-x)), evaluated without overflow for any float x."""
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -x))


def log_prob(theta: float, actions: ArrayLike) -> FloatArray:
    """log pi_theta(a): -log(1 + exp(-theta)) for a = 1 and -log(1 + exp(theta)) for a = 0.

    Uses logaddexp, so it is finite and accurate for any finite theta.
    """
    actions = np.asarray(actions)
    signed = np.where(actions == 1, theta, -theta)
    return -np.logaddexp(0.0, -signed)


def grad_log_prob(theta: float, actions: ArrayLike) -> FloatArray:
    """Score function d/dtheta log pi_theta(a) = a - sigmoid(theta)."""
    actions = np.asarray(actions, dtype=np.float64)
    return actions - sigmoid(theta)


def action_probabilities(theta: float) -> FloatArray:
    """[pi_theta(0), pi_theta(1)] = [sigmoid(-theta), sigmoid(theta)]."""
    return np.array([sigmoid(-theta), sigmoid(theta)], dtype=np.float64)


def expected_reward(theta: float, means: Sequence[float]) -> float:
    """J(theta) = sum_a pi_theta(a) * means[a] = (1 - s) m0 + s m1."""
    p = action_probabilities(theta)
    return float(p[0] * means[0] + p[1] * means[1])


def analytic_gradient(theta: float, means: Sequence[float]) -> float:
    """dJ/dtheta = s (1 - s) (m1 - m0)."""
    s, t = float(sigmoid(theta)), float(sigmoid(-theta))
    return s * t * (means[1] - means[0])


def reinforce_estimates(
    theta: float, actions: ArrayLike, rewards: ArrayLike, baseline: ArrayLike = 0.0
) -> FloatArray:
    """Per-sample score-function estimates g_i = (a_i - s) * (r_i - b_i).

    ``baseline`` is a scalar or an array of the same length as ``rewards``.
    """
    rewards = np.asarray(rewards, dtype=np.float64)
    return grad_log_prob(theta, actions) * (rewards - np.asarray(baseline, dtype=np.float64))


def estimator_variance(
    theta: float, means: Sequence[float], stds: Sequence[float], baseline: float = 0.0
) -> float:
    """Exact Var[g] of one single-sample estimate g = (a - s)(r - b), b a constant.

    Var[g] = sum_a pi(a) (a - s)^2 ((m_a - b)^2 + sd_a^2) - (dJ/dtheta)^2.
    """
    p = action_probabilities(theta)
    s = float(sigmoid(theta))
    score = np.array([-s, 1.0 - s])
    second_moment = sum(
        p[a] * score[a] ** 2 * ((means[a] - baseline) ** 2 + stds[a] ** 2) for a in (0, 1)
    )
    return float(second_moment - analytic_gradient(theta, means) ** 2)


def optimal_baseline(theta: float, means: Sequence[float]) -> float:
    """The constant b* minimising ``estimator_variance``: b* = E[score^2 r] / E[score^2].

    For the sigmoid bandit pi(a) score(a)^2 = s(1-s) * (1-s, s) for a = (1, 0), so
    b* = (1 - s) m1 + s m0: the action means weighted the *other* way round from J.
    It does not depend on the reward noise.
    """
    s, t = float(sigmoid(theta)), float(sigmoid(-theta))
    return t * means[1] + s * means[0]


def leave_one_out_baseline(rewards: ArrayLike) -> FloatArray:
    """b_i = (sum_j r_j - r_i) / (n - 1): the mean of the other rewards (n >= 2)."""
    rewards = np.asarray(rewards, dtype=np.float64)
    n = rewards.shape[0]
    if n < 2:
        raise ValueError("the leave-one-out baseline needs a batch of at least 2 rewards")
    return (rewards.sum() - rewards) / (n - 1)


def sample_bandit(
    theta: float,
    means: Sequence[float],
    stds: Sequence[float],
    n: int,
    rng: np.random.Generator,
) -> tuple[NDArray[np.int64], FloatArray]:
    """Draw n (action, reward) pairs: a ~ Bernoulli(sigmoid(theta)), r ~ N(means[a], stds[a]^2)."""
    actions = (rng.random(n) < sigmoid(theta)).astype(np.int64)
    noise = rng.standard_normal(n)
    rewards = (
        np.asarray(means, dtype=np.float64)[actions]
        + np.asarray(stds, dtype=np.float64)[actions] * noise
    )
    return actions, rewards
