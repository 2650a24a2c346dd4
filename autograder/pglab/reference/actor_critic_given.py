"""The helper cell of the ``actor_critic`` notebook: code students are given, not graded.

``cell_source()`` is the exact text of that cell (grade_id ``given_helpers``).  It is made of
the reference's own source (``EpisodicMDP``, ``chain_mdp``, the sampler, ``rewards_to_go`` and
``step_scores``, the previous assignment's results) and of ``rewards_to_go_given``'s source
(the private policy table, the trajectory enumeration, J and its complex-step gradient),
copied so that it cannot drift from what the grader uses, plus functions written here.  The
given code computes nothing a graded function of this notebook computes:

* The policy is the private ``_policy_table`` of ``rewards_to_go_given`` (the definition of
  the softmax, logits within +-700); the copied sampler and ``step_scores`` call it instead of
  the reference's ``softmax`` (the one textual substitution made in the copy).
* ``exact_values`` is V_t(s) by dynamic programming from V_T = 0 (the previous assignment's
  ``state_values``): the target the students' critics are compared with, never a fitted critic.
* No advantage, TD error, critic fit, surrogate loss or bias/variance appears.  ``train``
  takes the student's ``surrogate_loss``, an advantage function and, for the actor-critic,
  the student's ``critic_td_loss`` as arguments; it samples, weights step t by gamma^t (the
  start discount of J_gamma) and takes plain gradient steps on float64 tensors (plain SGD:
  ``torch.optim``'s first use costs seconds of imports).  It runs every seed at once, as one
  tabular problem with a block of S states per seed, so each step calls the student's
  functions once for all seeds, and it computes the exact J of every run by dynamic
  programming (``exact_values``), not by enumerating trajectories: the notebook's learning
  curves cost a fraction of a second instead of most of its run time.

``pglab probes --write`` puts this text into the source notebook and ``pglab probes --check``
(and the release tests) fail if it is stale.
"""

from __future__ import annotations

import inspect
import textwrap

import numpy as np

from pglab.reference import rewards_to_go as ref
from pglab.reference import rewards_to_go_given as rtg_given
from pglab.reference.rewards_to_go import EpisodicMDP, _categorical
from pglab.reference.rewards_to_go_given import (
    _policy_table,
    all_trajectories,
    exact_policy_gradient,
    expected_return,
    trajectory_probabilities,
)

GRADE_ID = "given_helpers"


def exact_values(theta, mdp):
    """V_t(s) = E[G_t | s_t = s] under pi_theta, exact: shape (T, S), row t is step t.

    Dynamic programming backwards from V_T = 0 (the previous assignment's state_values).
    Logits of shape (K, S, A) (K policies) give K tables at once: shape (K, T, S).
    """
    pi = _policy_table(theta)
    values = np.zeros((mdp.horizon + 1,) + pi.shape[:-1])
    for t in range(mdp.horizon - 1, -1, -1):
        following = np.einsum("sap,...p->...sa", mdp.P, values[t + 1])
        values[t] = np.sum(pi * (mdp.R + mdp.gamma * following), axis=-1)
    return np.moveaxis(values[: mdp.horizon], 0, -2)


def train(
    surrogate_loss,
    advantage_fn,
    mdp,
    theta0,
    iterations,
    batch,
    lr,
    seeds,
    critic_loss=None,
    critic_lr=1.0,
    critic_steps=1,
):
    """Policy-gradient ascent on J with the surrogate loss, optionally with a critic: one run
    per seed, all runs computed together.

    Run k has its own random generator default_rng(seeds[k]), its own logits (theta0 at the
    start) and its own critic (a (T, S) table, 0 at the start, kept from one iteration to the
    next).  Each iteration draws `batch` episodes from each run's pi_theta.  If `critic_loss`
    is given, the critic first takes `critic_steps` gradient steps
    values <- values - critic_lr * gradient of critic_loss(values, states, rewards, gamma) on
    this batch.  Then advantage_fn(rewards, states, values, gamma), with the critic's values as
    a numpy array (zeros without a critic), is weighted by gamma^t (the start discount of J)
    and the logits take one gradient step logits <- logits - lr * gradient of
    surrogate_loss(logits, states, actions, weights).

    The K runs are one tabular problem with K * S states (state s of run k is k * S + s, so
    the logits are (K * S, A) and the critic (T, K * S)): one call of each function serves
    every run.  Its loss is a mean over K * batch episodes, so on run k's rows the gradient is
    1/K of run k's own, and the steps are multiplied by K.
    Returns J(theta_k) for k = 0..iterations of every run, (K, iterations + 1), exact (by
    dynamic programming: exact_values at t = 0 averaged over init), and the final logits
    (K, S, A).
    """
    S, T, K = mdp.n_states, mdp.horizon, len(seeds)
    rngs = [np.random.default_rng(seed) for seed in seeds]
    first_state = S * np.arange(K)[:, None]  # run k's states start at k * S
    logits = torch.tensor(np.tile(np.asarray(theta0, dtype=np.float64), (K, 1)), requires_grad=True)
    values = torch.zeros((T, K * S), dtype=torch.float64, requires_grad=True)
    discount = mdp.gamma ** np.arange(T)
    init_cdf, P_cdf = np.cumsum(mdp.init), np.cumsum(mdp.P, axis=-1)

    def returns():
        return exact_values(logits.numpy(force=True).reshape(K, S, -1), mdp)[:, 0] @ mdp.init

    history = [returns()]
    for _ in range(iterations):
        u = np.array([rng.random((2, T, batch)) for rng in rngs])  # (K, 2, T, batch)
        pi_cdf = np.cumsum(_policy_table(logits.numpy(force=True)), axis=-1)
        states = np.empty((T, K, batch), dtype=np.int64)
        actions = np.empty((T, K, batch), dtype=np.int64)
        s = _categorical(init_cdf, u[:, 0, 0])
        for t in range(T):
            a = _categorical(pi_cdf[first_state + s], u[:, 1, t])
            states[t], actions[t] = first_state + s, a
            if t + 1 < T:
                s = _categorical(P_cdf[s, a], u[:, 0, t + 1])
        rewards = mdp.R[states % S, actions].reshape(T, K * batch).T.copy()
        states = states.reshape(T, K * batch).T.copy()
        actions = actions.reshape(T, K * batch).T.copy()
        states_t, actions_t = torch.as_tensor(states), torch.as_tensor(actions)
        if critic_loss is not None:
            for _ in range(critic_steps):
                critic_loss(values, states_t, torch.as_tensor(rewards), mdp.gamma).backward()
                with torch.no_grad():
                    values -= K * critic_lr * values.grad
                values.grad = None
        advantages = advantage_fn(rewards, states, values.numpy(force=True).copy(), mdp.gamma)
        weights = torch.as_tensor(np.asarray(advantages, dtype=np.float64) * discount)
        surrogate_loss(logits, states_t, actions_t, weights).backward()
        with torch.no_grad():
            logits -= K * lr * logits.grad
        logits.grad = None
        history.append(returns())
    return np.array(history).T, logits.numpy(force=True).reshape(K, S, -1).copy()


class _LazyTorch:
    """``torch`` for ``train`` when called from this module: imported on first use, so that
    importing the grading package does not pay torch's import time (the cell imports it)."""

    def __getattr__(self, name):
        import torch

        return getattr(torch, name)


torch = _LazyTorch()


#: What the cell holds, in order: copied from the reference, from ``rewards_to_go_given``,
#: then defined here.
FROM_REFERENCE = (
    ref.EpisodicMDP,
    ref.chain_mdp,
    ref._categorical,
    ref.sample_episodes,
    ref.rewards_to_go,
    ref.step_scores,
)
#: The copied functions that evaluate the policy draw it from the private table, not ``softmax``.
SUBSTITUTED = (ref.sample_episodes, ref.step_scores)
SUBSTITUTION = ("softmax(theta)", "_policy_table(theta)")
FROM_REWARDS_TO_GO_GIVEN = (
    rtg_given._policy_table,
    rtg_given._trajectory_grid,
    all_trajectories,
    trajectory_probabilities,
    expected_return,
    exact_policy_gradient,
)
DEFINED_HERE = (exact_values, train)

HEADER = """\
from __future__ import annotations

# Given code: run this cell, do not change it (it is not graded, and it does not call your
# functions unless you pass them in). The names you will use:
#   EpisodicMDP(P, R, init, horizon, gamma)   P (S, A, S), R (S, A), init (S,); attributes
#                                             .n_states, .n_actions, .horizon, .gamma
#   chain_mdp()                               the chain of the previous assignment
#   sample_episodes(theta, mdp, n, rng)       -> states, actions, rewards, each (n, T)
#   rewards_to_go(rewards, gamma)             G_t of every episode and step, (n, T)
#   step_scores(theta, states, actions)       grad_theta log pi(a_t | s_t), (n, T, S, A)
#   all_trajectories(mdp)                     -> states, actions, rewards of EVERY trajectory,
#                                                each (M, T), M = (S * A) ** T
#   trajectory_probabilities(theta, mdp)      -> p_theta(tau) of each of them, (M,)
#   expected_return(theta, mdp)               J(theta), exact (enumerates every trajectory)
#   exact_policy_gradient(theta, mdp)         grad J(theta), exact, shape (S, A)
#   exact_values(theta, mdp)                  V_t(s), exact, shape (T, S)
#   train(surrogate_loss, advantage_fn, mdp, theta0, iterations, batch, lr, seeds,
#         critic_loss=None, critic_lr=1.0, critic_steps=1)
#                                             -> (J after each step of each seed's run, thetas)
# The samplers and the exact quantities accept logits between -700 and 700.
import functools
import itertools
from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray

torch.set_num_threads(1)  # tensors here are tiny: one thread is fastest on a shared machine
FloatArray = NDArray[np.float64]  # names used in the type hints below
IntArray = NDArray[np.int64]
"""


def _source(obj) -> str:
    text = textwrap.dedent(inspect.getsource(obj)).strip()
    if obj in SUBSTITUTED:
        old, new = SUBSTITUTION
        if old not in text:
            raise RuntimeError(f"{obj.__name__} no longer calls {old}: update SUBSTITUTION")
        text = text.replace(old, new)
    return text


def cell_source() -> str:
    """The text of the notebook's ``given_helpers`` cell."""
    blocks = [HEADER.strip()] + [
        _source(f) for f in FROM_REFERENCE + FROM_REWARDS_TO_GO_GIVEN + DEFINED_HERE
    ]
    return "\n\n\n".join(blocks)


__all__ = [
    "EpisodicMDP",
    "all_trajectories",
    "cell_source",
    "exact_policy_gradient",
    "exact_values",
    "expected_return",
    "train",
    "trajectory_probabilities",
]
