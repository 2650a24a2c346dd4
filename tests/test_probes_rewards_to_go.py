"""rewards_to_go probes and checks, end to end in this process (probe -> record -> verdict).

The kernel is replaced by ``exec`` of the rendered hidden region, as in ``probe_kernel``; the
real nbgrader pipeline is exercised by test_grading_pipeline.
"""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest
from support import REWARDS_TO_GO_API

from pglab.assignments import ASSIGNMENTS
from pglab.checks import rewards_to_go as checks
from pglab.probes import render
from pglab.reference import rewards_to_go as ref

ASSIGNMENT = ASSIGNMENTS["rewards_to_go"]
API = REWARDS_TO_GO_API


def test_every_api_function_is_probed_and_catalogued():
    probed = {part.function for probe in ASSIGNMENT.probes.values() for part in probe.parts}
    assert probed == set(API)
    assert {m.function for m in ASSIGNMENT.catalogue} == set(API)


@pytest.mark.parametrize("name", sorted(ASSIGNMENT.probes))
def test_probe_code_is_self_contained(name):
    """A hidden cell imports nothing but numpy, IPython and the standard library, never pglab."""
    tree = ast.parse(render(ASSIGNMENT.probes[name], "x"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"numpy", "IPython", "base64", "traceback", "itertools", "types"}


@pytest.mark.parametrize("name", sorted(ASSIGNMENT.probes))
def test_reference_functions_pass_every_check(name, rewards_to_go_kernel):
    result = rewards_to_go_kernel.verdict(name)
    assert result.passed, result.text()


def _no_gamma_t(theta, states, actions, rewards, gamma, baseline=0.0):
    """The usual course formula: sum_t score_t (G_t - b_t), biased when gamma < 1."""
    weights = ref.rewards_to_go(rewards, gamma) - np.asarray(baseline, dtype=float)
    return np.einsum("nt,ntsa->nsa", weights, ref.step_scores(theta, states, actions))


def test_missing_gamma_t_is_biased_exactly_and_in_simulation(rewards_to_go_kernel):
    exact = rewards_to_go_kernel.verdict(
        "test_reinforce_rewards_to_go", reinforce_rewards_to_go=_no_gamma_t
    )
    assert not exact.passed and exact.misconception == "rtg_estimator.no_gamma_t"
    simulated = rewards_to_go_kernel.verdict(
        "test_estimators_unbiased", reinforce_rewards_to_go=_no_gamma_t
    )
    assert not simulated.passed and "BIASED" in simulated.text()


def test_an_estimator_right_for_a_wrong_callee_is_not_charged_again(rewards_to_go_kernel):
    """A wrong rewards_to_go costs its own cell; the estimators built on it keep their points."""

    def rewards_to_go(rewards, gamma):
        return ref.rewards_to_go(rewards, gamma) - np.asarray(rewards)  # off by one

    def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
        weights = gamma ** np.arange(np.shape(rewards)[1]) * (
            rewards_to_go(rewards, gamma) - np.asarray(baseline, dtype=float)
        )
        return np.einsum("nt,ntsa->nsa", weights, ref.step_scores(theta, states, actions))

    def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
        baseline = ref.state_value_baseline(values, states)
        return reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)

    own = {
        "rewards_to_go": rewards_to_go,
        "reinforce_rewards_to_go": reinforce_rewards_to_go,
        "reinforce_value_baseline": reinforce_value_baseline,
    }
    assert (
        rewards_to_go_kernel.verdict("test_rewards_to_go", **own).misconception
        == "rewards_to_go.excludes_current"
    )
    for name in ("test_reinforce_rewards_to_go", "test_reinforce_value_baseline"):
        result = rewards_to_go_kernel.verdict(name, **own)
        assert result.passed and "rewards_to_go" in result.text(), (name, result.text())
    # The dual-path cells judge the estimators as they are (issue 13): built on the wrong
    # rewards_to_go they are biased there, and the feedback names the helper.
    result = rewards_to_go_kernel.verdict("test_estimators_unbiased", **own)
    assert not result.passed and "follows the rewards_to_go you wrote" in result.text()


def test_a_second_bug_on_top_of_a_wrong_callee_still_fails(rewards_to_go_kernel):
    def rewards_to_go(rewards, gamma):
        return ref.rewards_to_go(rewards, 1.0)

    def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
        return -ref.reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)

    result = rewards_to_go_kernel.verdict(
        "test_reinforce_rewards_to_go",
        rewards_to_go=rewards_to_go,
        reinforce_rewards_to_go=reinforce_rewards_to_go,
    )
    assert not result.passed


def _spike(value: float):
    """An estimator that is zero except on one improbable trajectory of the chain (states and
    actions 1, 0, 1, 0), where it returns ``value``."""

    def estimator(theta, states, actions, rewards, gamma, *rest):
        states, actions = np.asarray(states), np.asarray(actions)
        out = np.zeros((states.shape[0], *np.shape(theta)))
        if states.shape[1] == 4:
            rare = np.all(states == [1, 0, 1, 0], axis=1) & np.all(actions == [1, 0, 1, 0], axis=1)
            out[rare] = value
        return out

    return estimator


SPIKES = {
    "reinforce_total_return": _spike(1e6),
    "reinforce_rewards_to_go": _spike(1e5),
    "reinforce_value_baseline": _spike(1e4),
}


def test_a_spike_on_one_rare_trajectory_buys_no_dual_path_cell(rewards_to_go_kernel):
    """The Monte Carlo radius comes from the range of the student's own values, which a huge
    value on one trajectory of probability 0.00025 makes as wide as it likes: the exact mean
    over every trajectory refuses it, and estimators of which none has grad J as its mean have
    no variance reduction to compare (a review found both cells passed)."""
    unbiased = rewards_to_go_kernel.verdict("test_estimators_unbiased", **SPIKES)
    assert not unbiased.passed and "differs from grad J" in unbiased.text(), unbiased.text()
    variance = rewards_to_go_kernel.verdict("test_variance_reduction", **SPIKES)
    assert not variance.passed and "None of your estimators" in variance.summary, variance.text()


def test_one_estimator_with_grad_j_as_its_mean_is_enough_to_compare_variances(
    rewards_to_go_kernel,
):
    """A single wrong estimator (here the total return left undiscounted, biased) leaves the
    variance comparison as it was: one bug, one charge."""

    def total_return_undiscounted(theta, states, actions, rewards, gamma):
        return ref.reinforce_total_return(theta, states, actions, rewards, 1.0)

    own = {"reinforce_total_return": total_return_undiscounted}
    assert not rewards_to_go_kernel.verdict("test_reinforce_total_return", **own).passed
    assert not rewards_to_go_kernel.verdict("test_estimators_unbiased", **own).passed
    assert rewards_to_go_kernel.verdict("test_variance_reduction", **own).passed


def test_unstable_softmax_fails_only_its_cell(rewards_to_go_kernel):
    def softmax(theta):
        with np.errstate(all="ignore"):
            z = np.exp(np.asarray(theta, dtype=float))
            return z / z.sum(axis=-1, keepdims=True)

    assert (
        rewards_to_go_kernel.verdict("test_softmax", softmax=softmax).misconception
        == "softmax.no_max_shift"
    )
    # the other probes use moderate logits, where it is right
    assert rewards_to_go_kernel.verdict("test_grad_log_softmax", softmax=softmax).passed


def test_variance_ordering_is_resolved_at_the_graded_setting():
    """Not a theorem: at the chain with theta = 0 the exact sds are strictly ordered with gaps
    larger than the two radii, so a correct submission fails only if a radius bound does."""
    mdp, theta = ref.chain_mdp(), np.zeros((3, 2))
    states, actions, probs = ref.enumerate_trajectories(theta, mdp)
    rewards = mdp.R[states, actions]
    sds, radii = [], []
    for name in ("total_return", "rewards_to_go", "value_baseline"):
        g = ref.ESTIMATORS[name](theta, mdp, states, actions, rewards)
        sds.append(np.sqrt(ref.exact_estimator_variance(theta, mdp, name)))
        spread = np.ptp(g[probs > 0], axis=0)
        radii.append(spread * math.sqrt(2 * math.log(2 / checks.DELTA) / (checks.EPISODES - 1)))
    for k in range(2):
        assert np.all(sds[k] - sds[k + 1] > radii[k] + radii[k + 1])
        assert np.all(sds[k + 1] < 0.95 * sds[k])


def test_the_sampled_counts_follow_the_enumeration():
    """The dual path's counts, and episodes drawn step by step by the reference sampler (what
    the counts stand for), both have the enumerated trajectory probabilities."""
    counts = checks._sampled_counts(checks.SAMPLE_SEED)
    theta, mdp = np.zeros((3, 2)), ref.chain_mdp()
    _, _, probs = ref.enumerate_trajectories(theta, mdp)
    n = 200_000
    states, actions, _ = ref.sample_episodes(theta, mdp, n, np.random.default_rng(0))
    index = np.zeros(n, dtype=np.int64)
    for t in range(mdp.horizon):
        index = (
            index * (mdp.n_states * mdp.n_actions) + states[:, t] * mdp.n_actions + actions[:, t]
        )
    sampled = np.bincount(index, minlength=probs.size)
    assert counts.sum() == checks.EPISODES
    for found, total in ((counts, checks.EPISODES), (sampled, n)):
        assert np.all(found[probs == 0] == 0)
        assert np.max(np.abs(found / total - probs)) < 6 * math.sqrt(probs.max() / total)
