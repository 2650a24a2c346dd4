"""The actor_critic notebook's given ``train`` and ``exact_values``: every seed's run at once,
and each run exactly what one run alone would be.

``train`` packs K runs into one tabular problem of K * S states so that the notebook's learning
curves call the student's functions once per step for all seeds; these tests show the packing
changes nothing: runs do not interact, a step is the REINFORCE (or TD) step of the reference,
the episodes follow the policy and the MDP, and J is the enumerated J.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from test_probes_actor_critic import critic_td_loss as td_loss  # noqa: E402 - a correct student
from test_probes_actor_critic import surrogate_loss as surrogate  # noqa: E402

from pglab.reference import actor_critic as ac  # noqa: E402
from pglab.reference import actor_critic_given as given  # noqa: E402
from pglab.reference import rewards_to_go as ref  # noqa: E402


@functools.cache
def cell() -> dict:
    """The given cell's namespace (what the notebook runs)."""
    namespace: dict = {}
    exec(compile(given.cell_source(), "given_helpers", "exec"), namespace)  # noqa: S102 - ours
    return namespace


def random_mdp(seed: int, horizon: int = 3, gamma: float = 0.8) -> ref.EpisodicMDP:
    """Stochastic transitions, 3 states, 2 actions."""
    rng = np.random.default_rng(seed)
    return ref.EpisodicMDP(
        P=rng.dirichlet(np.ones(3), size=(3, 2)),
        R=rng.normal(size=(3, 2)),
        init=rng.dirichlet(np.ones(3)),
        horizon=horizon,
        gamma=gamma,
    )


def mdps():
    return [ref.chain_mdp(), random_mdp(1), random_mdp(2, horizon=1, gamma=1.0)]


@pytest.mark.parametrize("mdp", mdps(), ids=["chain", "random", "T1"])
def test_exact_values_of_several_policies_at_once(mdp):
    """Logits (K, S, A) give each policy's own V; V_0 averaged over init is the enumerated J."""
    thetas = np.random.default_rng(5).normal(size=(4, mdp.n_states, mdp.n_actions))
    batched = cell()["exact_values"](thetas, mdp)
    assert batched.shape == (4, mdp.horizon, mdp.n_states)
    for k, theta in enumerate(thetas):
        assert np.max(np.abs(batched[k] - ac.exact_values(theta, mdp))) < 1e-12
        assert abs(batched[k, 0] @ mdp.init - ref.expected_return(theta, mdp)) < 1e-12


@pytest.mark.parametrize("mdp", mdps(), ids=["chain", "random", "T1"])
def test_runs_do_not_interact(mdp):
    """Run k of a call with several seeds is the run of seed k alone (critic and GAE too)."""
    theta0 = np.random.default_rng(3).normal(size=(mdp.n_states, mdp.n_actions))
    kwargs = dict(
        advantage_fn=lambda r, s, v, g: ac.gae_advantages(r, s, v, g, 0.9),
        mdp=mdp,
        theta0=theta0,
        iterations=6,
        batch=5,
        lr=0.7,
        critic_loss=td_loss,
        critic_lr=0.5,
        critic_steps=3,
    )
    together, thetas = cell()["train"](surrogate, seeds=[11, 12, 13], **kwargs)
    assert together.shape == (3, 7) and thetas.shape == (3, mdp.n_states, mdp.n_actions)
    for k, seed in enumerate([11, 12, 13]):
        alone, theta = cell()["train"](surrogate, seeds=[seed], **kwargs)
        assert np.max(np.abs(together[k] - alone[0])) < 1e-10
        assert np.max(np.abs(thetas[k] - theta[0])) < 1e-10
        assert abs(together[k, -1] - ref.expected_return(thetas[k], mdp)) < 1e-10
    assert not np.allclose(together[0], together[1])  # different seeds, different runs


def test_one_step_is_the_reference_step():
    """With a critic: the values the advantage function receives are the reference's TD steps on
    the batch, and the logits move by lr times the mean reference estimate built on them."""
    mdp = random_mdp(4)
    theta0 = np.random.default_rng(8).normal(size=(3, 2))
    seen = {}

    def recording_surrogate(logits, states, actions, weights):
        seen["states"], seen["actions"] = states.numpy().copy(), actions.numpy().copy()
        return surrogate(logits, states, actions, weights)

    def advantage_fn(rewards, states, values, gamma):
        seen["rewards"], seen["values"] = rewards.copy(), values.copy()
        return ac.td_errors(rewards, states, values, gamma)

    seeds = [21, 22]
    _, thetas = cell()["train"](
        recording_surrogate, advantage_fn, mdp, theta0, 1, 6, 0.9, seeds,
        critic_loss=td_loss, critic_lr=0.4, critic_steps=2,
    )  # fmt: skip
    K, S = len(seeds), mdp.n_states
    states, actions, rewards = seen["states"], seen["actions"], seen["rewards"]
    assert states.shape == (K * 6, mdp.horizon) and seen["values"].shape == (mdp.horizon, K * S)
    for k in range(K):
        rows = slice(6 * k, 6 * (k + 1))
        local = states[rows] - k * S
        assert local.min() >= 0 and local.max() < S  # run k's episodes stay in its block
        assert np.array_equal(rewards[rows], mdp.R[local, actions[rows]])
        values = np.zeros((mdp.horizon, S))
        for _ in range(2):
            values = ac.td0_critic_step(values, local, rewards[rows], mdp.gamma, 0.4)
        assert np.max(np.abs(seen["values"][:, k * S : (k + 1) * S] - values)) < 1e-12
        weights = ac.start_discounted(
            ac.td_errors(rewards[rows], local, values, mdp.gamma), mdp.gamma
        )
        estimate = ac.policy_gradient_estimates(theta0, local, actions[rows], weights).mean(0)
        assert np.max(np.abs(thetas[k] - (theta0 + 0.9 * estimate))) < 1e-12


def test_episodes_follow_the_policy_and_the_mdp():
    """With lr = 0 every batch comes from the same policy: the frequency of each (t, s_t, a_t)
    over 24,000 episodes is within 5 standard errors of its exact probability (by
    enumeration). Fixed seeds, so the test is deterministic; for a correct sampler the chance
    of a seed set failing is below 24 * 6e-7 (normal tails), and a sampler that ignores theta
    or the transitions is off by far more than 5 standard errors (at most 0.016)."""
    mdp = random_mdp(6, horizon=4)
    theta0 = np.array([[1.0, -0.5], [0.0, 0.8], [-1.2, 0.3]])
    batches = []

    def recording_surrogate(logits, states, actions, weights):
        batches.append((states.numpy() % mdp.n_states, actions.numpy().copy()))
        return surrogate(logits, states, actions, weights)

    cell()["train"](recording_surrogate, lambda r, s, v, g: r, mdp, theta0, 200, 40, 0.0, [1, 2, 3])
    states = np.concatenate([s for s, _ in batches])
    actions = np.concatenate([a for _, a in batches])
    n = len(states)
    assert n == 24_000
    all_states, all_actions, probs = ref.enumerate_trajectories(theta0, mdp)
    for t in range(mdp.horizon):
        for s in range(mdp.n_states):
            for a in range(mdp.n_actions):
                p = probs[(all_states[:, t] == s) & (all_actions[:, t] == a)].sum()
                frequency = np.mean((states[:, t] == s) & (actions[:, t] == a))
                assert abs(frequency - p) <= 5 * np.sqrt(p * (1 - p) / n) + 1e-12, (t, s, a)
