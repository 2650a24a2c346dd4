"""The helper cell of the ``rewards_to_go`` notebook: code students are given, not graded.

``cell_source()`` is the exact text of that cell (grade_id ``given_helpers``).  It is made
of the reference's own source (``EpisodicMDP``, ``chain_mdp``, the samplers), copied
verbatim so that it cannot drift from what the grader uses, plus three functions written
here because the reference versions are built on functions the students must write:

* ``expected_return`` and ``exact_policy_gradient`` enumerate every trajectory with a
  private, complex-valued policy and differentiate J by the complex step
  (dJ/dtheta_j = Im J(theta + i h e_j) / h, exact to rounding for tiny h).  They never call
  the student's code and reveal none of the graded formulas (no score, no return-to-go,
  no value recursion), yet agree with ``reference.rewards_to_go.exact_policy_gradient`` to
  1e-12 (``tests/test_reference_rewards_to_go_given.py``).
* ``train`` runs gradient ascent with a student estimator.

In the notebook, ``softmax`` inside the copied samplers is the student's own ``softmax``
(it is looked up when they run).  ``pglab probes --write`` puts this text into the source
notebook and ``pglab probes --check`` (and the release tests) fail if it is stale.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import textwrap

import numpy as np

from pglab.reference import rewards_to_go as ref
from pglab.reference.rewards_to_go import EpisodicMDP, sample_episodes

GRADE_ID = "given_helpers"


@functools.lru_cache(maxsize=8)
def _trajectory_grid(S, A, T):
    """Every (s_0, a_0, ..., s_{T-1}, a_{T-1}) with S states, A actions: shape (M, 2T)."""
    return np.array(list(itertools.product(range(S), range(A), repeat=T)), dtype=np.int64)


def _trajectories(mdp):
    """Every trajectory of mdp: states and actions, each (M, T)."""
    grid = _trajectory_grid(mdp.n_states, mdp.n_actions, mdp.horizon)
    return grid[:, 0::2], grid[:, 1::2]


def _policy_table(theta):
    """pi(a | s) for a real or complex theta of shape (S, A) (private: used by the complex step)."""
    theta = np.asarray(theta)
    weights = np.exp(theta - np.max(theta.real, axis=-1, keepdims=True))
    return weights / np.sum(weights, axis=-1, keepdims=True)


def expected_return(theta, mdp):
    """J(theta) = E[sum_t gamma^t r_t] by enumerating every trajectory (complex theta too)."""
    states, actions = _trajectories(mdp)
    pi = _policy_table(theta)
    probability = mdp.init[states[:, 0]] * np.prod(pi[states, actions], axis=1)
    probability = probability * np.prod(
        mdp.P[states[:, :-1], actions[:, :-1], states[:, 1:]], axis=1
    )
    discounted = mdp.R[states, actions] * mdp.gamma ** np.arange(mdp.horizon)
    total = np.sum(probability * np.sum(discounted, axis=1))
    return total if np.iscomplexobj(total) else float(total)


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
    Returns J(theta_k) for k = 0..iterations (exact, by enumeration).
    """
    rng = np.random.default_rng(seed)
    theta = np.array(theta0, dtype=np.float64)
    history = [expected_return(theta, mdp)]
    for _ in range(iterations):
        states, actions, rewards = sample_episodes(theta, mdp, batch, rng)
        theta = theta + lr * np.mean(estimator(theta, states, actions, rewards), axis=0)
        history.append(expected_return(theta, mdp))
    return np.array(history)


#: What the cell holds, in order: copied from the reference, then defined here.
FROM_REFERENCE = (
    ref.EpisodicMDP,
    ref.chain_mdp,
    ref._categorical,
    ref.sample_bandit,
    ref.sample_episodes,
)
DEFINED_HERE = (
    _trajectory_grid,
    _trajectories,
    _policy_table,
    expected_return,
    exact_policy_gradient,
    train,
)

HEADER = """\
from __future__ import annotations

# Given code: run this cell, do not change it (it is not graded). It uses YOUR softmax
# to sample actions, so write softmax first. The names you will use:
#   EpisodicMDP(P, R, init, horizon, gamma)   P (S, A, S), R (S, A), init (S,); attributes
#                                             .n_states, .n_actions
#   chain_mdp()                               the default chain of Section 3
#   sample_bandit(theta, means, stds, n, rng) -> actions (n,), rewards (n,)
#   sample_episodes(theta, mdp, n, rng)       -> states, actions, rewards, each (n, T)
#   expected_return(theta, mdp)               J(theta), exact (enumerates every trajectory)
#   exact_policy_gradient(theta, mdp)         grad J(theta), exact, shape (S, A)
#   train(estimator, mdp, theta0, iterations, batch, lr, seed) -> J after each step
import functools
import itertools
from dataclasses import dataclass

import numpy as np
"""


def _source(obj) -> str:
    return textwrap.dedent(inspect.getsource(obj)).strip()


def cell_source() -> str:
    """The text of the notebook's ``given_helpers`` cell."""
    blocks = [HEADER.strip()] + [_source(f) for f in FROM_REFERENCE + DEFINED_HERE]
    return "\n\n\n".join(blocks)


__all__ = ["EpisodicMDP", "cell_source", "exact_policy_gradient", "expected_return", "train"]
