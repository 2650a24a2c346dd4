"""The helper cell of the ``rewards_to_go`` notebook: code students are given, not graded.

``cell_source()`` is the exact text of that cell (grade_id ``given_helpers``).  It is made
of the reference's own source (``EpisodicMDP``, ``chain_mdp``, the samplers), copied so that
it cannot drift from what the grader uses, plus functions written here.  The given code
computes nothing a graded function computes:

* The policy is private: ``_policy_table`` evaluates the *definition*
  exp(theta[s, a]) / sum_b exp(theta[s, b]) that section 1 of the notebook states, without
  the numerically stable form ``softmax`` is graded on, and refuses logits beyond +-700
  (where the definition overflows) with a plain-words error.  The copied samplers call it
  instead of the reference's ``softmax`` (the one textual substitution made in the copy), so
  sampling does not depend on the student's ``softmax`` and a visible test of an estimator
  fails only for the estimator (or what it calls), never for a broken ``softmax`` upstream.
* ``all_trajectories`` and ``trajectory_probabilities`` enumerate every trajectory and its
  probability (the product of the initial, policy and transition probabilities: the
  definition of p_theta(tau)); ``expected_return`` is J = sum_t gamma^t E[r_t], each E[r_t]
  a probability-weighted sum over the trajectories (no per-episode return is formed, so the
  given code does not compute ``discounted_returns`` either).  ``exact_policy_gradient``
  differentiates that enumeration by the complex step (dJ/dtheta_j = Im J(theta + i h e_j)
  / h, exact to rounding for tiny h).  No score, no reward-to-go, no value recursion, no
  estimator appears; the gradient agrees with
  ``reference.rewards_to_go.exact_policy_gradient`` to 1e-12
  (``tests/test_release.py::test_given_helper_cell_is_the_reference_code``).
* ``train`` runs gradient ascent with a student estimator.

``pglab probes --write`` puts this text into the source notebook and ``pglab probes --check``
(and the release tests) fail if it is stale.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import textwrap

import numpy as np

from pglab.reference import rewards_to_go as ref
from pglab.reference.rewards_to_go import EpisodicMDP

GRADE_ID = "given_helpers"
LARGEST_LOGIT = 700.0


def _policy_table(theta):
    """pi(a | s) straight from its definition, for a real or complex theta of shape (S, A)
    (or a stack of them, (..., S, A)).

    Private to the given code (the complex step needs complex logits).  The definition
    overflows for logits beyond about 700, so this refuses them; your softmax must not.
    """
    theta = np.asarray(theta)
    if np.max(np.abs(theta.real)) > 700.0:
        raise ValueError(
            "the given helpers use the plain definition of the softmax and only accept "
            "logits between -700 and 700"
        )
    weights = np.exp(theta)
    return weights / np.sum(weights, axis=-1, keepdims=True)


@functools.lru_cache(maxsize=8)
def _trajectory_grid(S, A, T):
    """Every (s_0, a_0, ..., s_{T-1}, a_{T-1}) with S states, A actions: shape (M, 2T)."""
    return np.array(list(itertools.product(range(S), range(A), repeat=T)), dtype=np.int64)


def all_trajectories(mdp):
    """Every possible trajectory of mdp: states, actions, rewards, each of shape (M, T).

    M = (S * A) ** T; impossible trajectories are included (their probability is 0).
    """
    grid = _trajectory_grid(mdp.n_states, mdp.n_actions, mdp.horizon)
    states, actions = grid[:, 0::2], grid[:, 1::2]
    return states, actions, mdp.R[states, actions]


def trajectory_probabilities(theta, mdp):
    """p_theta(tau) of every trajectory of ``all_trajectories(mdp)``, in the same order: (M,).

    A stack of logits (..., S, A) gives one row per theta: (..., M)."""
    states, actions, _ = all_trajectories(mdp)
    pi = _policy_table(theta)
    probability = mdp.init[states[:, 0]] * np.prod(pi[..., states, actions], axis=-1)
    return probability * np.prod(mdp.P[states[:, :-1], actions[:, :-1], states[:, 1:]], axis=1)


def expected_return(theta, mdp):
    """J(theta) = E[sum_t gamma^t r_t] = sum_t gamma^t E[r_t], exact (every trajectory).

    A stack of logits (..., S, A) gives every J at once: an array of shape (...)."""
    _, _, rewards = all_trajectories(mdp)
    mean_reward = trajectory_probabilities(theta, mdp) @ rewards  # E[r_t] for each step t
    total = np.sum(mean_reward * mdp.gamma ** np.arange(mdp.horizon), axis=-1)
    if np.ndim(total) or np.iscomplexobj(total):
        return total
    return float(total)


def exact_policy_gradient(theta, mdp):
    """grad J(theta), shape (S, A), exact: complex-step derivative of the enumerated J."""
    theta = np.asarray(theta, dtype=np.float64)
    step = 1e-30
    gradient = np.zeros_like(theta)
    for index in np.ndindex(theta.shape):
        shifted = theta.astype(np.complex128)
        shifted[index] += 1j * step
        gradient[index] = np.imag(expected_return(shifted, mdp)) / step
    return gradient


def train(estimator, mdp, theta0, iterations, batch, lr, seed):
    """Gradient ascent theta <- theta + lr * mean of ``estimator`` over a batch of episodes.

    estimator(theta, states, actions, rewards) returns per-episode estimates (batch, S, A).
    Returns J(theta_k) for k = 0..iterations (exact, by enumeration) and the final theta.
    """
    rng = np.random.default_rng(seed)
    theta = np.array(theta0, dtype=np.float64)
    visited = [theta]
    for _ in range(iterations):
        states, actions, rewards = sample_episodes(theta, mdp, batch, rng)
        theta = theta + lr * np.mean(estimator(theta, states, actions, rewards), axis=0)
        visited.append(theta)
    return expected_return(np.array(visited), mdp), theta  # every J at once


def sample_episodes(theta, mdp, n, rng):
    """Stand-in for the copied sampler when this module is imported (tests): same code."""
    return ref.sample_episodes(theta, mdp, n, rng)


#: What the cell holds, in order: copied from the reference, then defined here.
FROM_REFERENCE = (
    ref.EpisodicMDP,
    ref.chain_mdp,
    ref._categorical,
    ref.sample_bandit,
    ref.sample_episodes,
)
#: The copied samplers draw from the private policy table, not from ``softmax``.
SAMPLERS = (ref.sample_bandit, ref.sample_episodes)
SUBSTITUTION = ("softmax(theta)", "_policy_table(theta)")
DEFINED_HERE = (
    _policy_table,
    _trajectory_grid,
    all_trajectories,
    trajectory_probabilities,
    expected_return,
    exact_policy_gradient,
    train,
)

HEADER = """\
from __future__ import annotations

# Given code: run this cell, do not change it (it is not graded, and it does not call your
# functions). The names you will use:
#   EpisodicMDP(P, R, init, horizon, gamma)   P (S, A, S), R (S, A), init (S,); attributes
#                                             .n_states, .n_actions
#   chain_mdp()                               the default chain of Section 3
#   sample_bandit(theta, means, stds, n, rng) -> actions (n,), rewards (n,)
#   sample_episodes(theta, mdp, n, rng)       -> states, actions, rewards, each (n, T)
#   all_trajectories(mdp)                     -> states, actions, rewards of EVERY trajectory,
#                                                each (M, T), M = (S * A) ** T
#   trajectory_probabilities(theta, mdp)      -> p_theta(tau) of each of them, (M,)
#   expected_return(theta, mdp)               J(theta), exact (enumerates every trajectory)
#   exact_policy_gradient(theta, mdp)         grad J(theta), exact, shape (S, A)
#   train(estimator, mdp, theta0, iterations, batch, lr, seed) -> (J after each step, theta)
# The samplers and the exact quantities accept logits between -700 and 700.
import functools
import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]  # names used in the type hints below
IntArray = NDArray[np.int64]
"""


def _source(obj) -> str:
    text = textwrap.dedent(inspect.getsource(obj)).strip()
    if obj in SAMPLERS:
        old, new = SUBSTITUTION
        if old not in text:
            raise RuntimeError(f"{obj.__name__} no longer calls {old}: update SUBSTITUTION")
        text = text.replace(old, new)
    return text


def cell_source() -> str:
    """The text of the notebook's ``given_helpers`` cell."""
    blocks = [HEADER.strip()] + [_source(f) for f in FROM_REFERENCE + DEFINED_HERE]
    return "\n\n\n".join(blocks)


__all__ = [
    "EpisodicMDP",
    "all_trajectories",
    "cell_source",
    "exact_policy_gradient",
    "expected_return",
    "train",
    "trajectory_probabilities",
]
