"""actor_critic probes and checks, end to end in this process (probe -> record -> verdict).

The kernel is replaced by ``exec`` of the rendered hidden region (``support.ProbeKernel``);
the "student" is the reference for the numpy functions and the torch implementations below
for the two losses.  The real nbgrader pipeline is exercised by the grading tests.
"""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest
from support import ProbeKernel

from pglab.checks import actor_critic as checks
from pglab.probes import Part, Probe, render
from pglab.probes import actor_critic as probes
from pglab.reference import actor_critic as ref
from pglab.reference import rewards_to_go as rtg
from pglab.reference import rewards_to_go_given as given

torch = pytest.importorskip("torch")

#: The student API of the actor_critic assignment, in notebook order.
API = (
    "surrogate_loss",
    "fit_critic_monte_carlo",
    "critic_td_loss",
    "fit_critic_td0",
    "monte_carlo_advantages",
    "td_errors",
    "n_step_advantages",
    "gae_advantages",
    "advantage_bias_variance",
)
NUMPY_API = tuple(name for name in API if hasattr(ref, name))
GIVEN = ("all_trajectories", "trajectory_probabilities", "exact_policy_gradient", "step_scores")


# --------------------------------------------------------------------------- a correct student


def surrogate_loss(logits, states, actions, advantages):
    log_pi = torch.log_softmax(logits, dim=-1)[states, actions]
    return -(log_pi * advantages.detach()).sum(dim=-1).mean()


def critic_td_loss(values, states, rewards, gamma):
    n, T = states.shape
    current = values[torch.arange(T), states]
    following = torch.zeros_like(current)
    following[:, :-1] = values[torch.arange(1, T), states[:, 1:]]
    target = (rewards + gamma * following).detach()
    return 0.5 * ((target - current) ** 2).sum() / n


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    states, actions, rewards = given.all_trajectories(mdp)
    probs = given.trajectory_probabilities(theta, mdp)
    advantages = advantage_fn(rewards, states, values, mdp.gamma)
    weights = advantages * mdp.gamma ** np.arange(mdp.horizon)
    g = np.einsum("mt,mtsa->msa", weights, rtg.step_scores(theta, states, actions))
    mean = np.einsum("m,msa->sa", probs, g)
    variance = np.einsum("m,msa->sa", probs, (g - mean) ** 2)
    return mean - given.exact_policy_gradient(theta, mdp), variance


STUDENT = {
    "surrogate_loss": surrogate_loss,
    "critic_td_loss": critic_td_loss,
    "advantage_bias_variance": advantage_bias_variance,
}


class ActorCriticKernel(ProbeKernel):
    """The reference's numpy functions, the torch losses above."""

    def __init__(self):
        from pglab.assignments import Assignment

        self.assignment = Assignment(
            "actor_critic",
            {p.name: p for p in probes.PROBES},
            checks.CHECKS,
            "autograder/pglab/probes/actor_critic.py",
        )
        self.reference = ref
        self.api = API
        self.given = ()

    def reference_namespace(self) -> dict:
        names = dict.fromkeys(NUMPY_API)
        return {
            "np": np,
            "torch": torch,
            **{name: getattr(ref, name) for name in names},
            **STUDENT,
        }


@pytest.fixture(scope="module")
def kernel():
    return ActorCriticKernel()


def test_every_api_function_is_probed():
    probed = {part.function for probe in probes.PROBES for part in probe.parts}
    assert probed == set(API)
    assert set(checks.CHECKS) == {p.name for p in probes.PROBES}


@pytest.mark.parametrize("probe", probes.PROBES, ids=lambda p: p.name)
def test_probe_code_is_self_contained(probe):
    """A hidden cell imports numpy, torch, IPython and the standard library, never pglab."""
    tree = ast.parse(render(probe, "x"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"numpy", "torch", "IPython", "base64", "traceback", "itertools", "types"}


@pytest.mark.parametrize("name", sorted(checks.CHECKS))
def test_reference_passes_every_check(name, kernel):
    result = kernel.verdict(name)
    assert result.passed, result.text()
    assert not result.excused_by


# --------------------------------------------------------------------------- rendering


def test_only_probes_with_an_adapter_render_the_adapted_emitter():
    from pglab.probes import reinforce, rewards_to_go

    for probe in (*reinforce.PROBES, *rewards_to_go.PROBES):
        assert "_pglab_emit_adapted" not in render(probe, "x")
    region = render(next(p for p in probes.PROBES if p.name == "test_critic_td_loss"), "x")
    assert '{"critic_td_loss": _pglab_critic_adapter}' in region
    assert "del _pglab_emit, _pglab_emit_adapted," in region and "_pglab_critic_adapter\n" in region


def test_a_function_with_two_adapters_is_refused():
    def other(function, args):
        return function(*args)

    probe = Probe(
        "x",
        1,
        (
            Part(
                "surrogate_loss",
                probes._pglab_surrogate_inputs,
                adapter=probes._pglab_surrogate_adapter,
            ),
            Part("surrogate_loss", probes._pglab_surrogate_inputs, adapter=other),
        ),
    )
    with pytest.raises(ValueError, match="same adapter"):
        render(probe, "x")


def test_the_notebook_keeps_its_own_functions_after_a_probe(kernel):
    namespace = kernel.reference_namespace()
    probe = next(p for p in probes.PROBES if p.name == "test_surrogate_loss_detached")
    with_probe = dict(namespace)
    from unittest import mock

    with mock.patch("IPython.display.display", lambda *a, **k: None):
        exec(render(probe, "tests"), with_probe)  # noqa: S102 - our own probe code
    assert with_probe["surrogate_loss"] is surrogate_loss
    assert not any(name.startswith("_pglab") for name in with_probe)


# --------------------------------------------------------------------------- references


def test_the_check_references_agree_with_the_catalogue_and_finite_differences():
    from pglab.misconceptions import actor_critic as catalogue

    rng = np.random.default_rng(5)
    for args in probes._pglab_critic_loss_inputs(rng)[:10]:
        got = checks.critic_td_loss_gradient(*args)
        np.testing.assert_allclose(got, catalogue.critic_td_loss_gradient(*args), atol=1e-12)
        values, states, rewards, gamma = args
        target = rewards + gamma * ref.next_values(values, states)  # held constant
        for t, s in [(0, 0), (np.shape(values)[0] - 1, 1)]:
            step = np.zeros(np.shape(values))
            step[t, s] = 1e-6

            def loss(v, states=states, target=target):
                current = v[np.arange(states.shape[1]), states]
                return 0.5 * np.sum((target - current) ** 2) / states.shape[0]

            numeric = (loss(values + step) - loss(values - step)) / 2e-6
            assert abs(numeric - got[t, s]) < 1e-6
    for args in probes._pglab_detached_inputs(rng)[:10]:
        logits, states, actions, rewards, values, gamma = args
        advantages = ref.td_errors(rewards, states, values, gamma)
        dl_da = next(m for m in catalogue.CATALOGUE if m.id == checks.NOT_DETACHED).imitate(
            logits, states, actions, advantages
        )
        np.testing.assert_allclose(
            checks._undetached_critic_gradient(*args),
            catalogue.critic_gradient(dl_da, states, gamma, np.shape(values)[1]),
            atol=1e-12,
        )


# --------------------------------------------------------------------------- wrong students


def verdicts(kernel, **overrides) -> dict:
    return {name: kernel.verdict(name, **overrides) for name in checks.CHECKS}


def failed(results: dict) -> set[str]:
    return {name for name, verdict in results.items() if not verdict.passed}


def test_a_loss_that_lets_gradient_into_the_critic_fails_only_the_detached_cell(kernel):
    def leaky(logits, states, actions, advantages):
        log_pi = torch.log_softmax(logits, dim=-1)[states, actions]
        return -(log_pi * advantages).sum(dim=-1).mean()

    results = verdicts(kernel, surrogate_loss=leaky)
    assert failed(results) == {"test_surrogate_loss_detached"}
    assert results["test_surrogate_loss_detached"].misconception == checks.NOT_DETACHED


def test_a_loss_that_needs_constant_advantages_is_told_so(kernel):
    def via_numpy(logits, states, actions, advantages):
        weights = torch.as_tensor(advantages.numpy())  # raises when they require grad
        return -(torch.log_softmax(logits, dim=-1)[states, actions] * weights).sum(-1).mean()

    results = verdicts(kernel, surrogate_loss=via_numpy)
    assert failed(results) == {"test_surrogate_loss_detached"}
    assert (
        "fails when the advantages require grad" in results["test_surrogate_loss_detached"].summary
    )


def test_a_loss_returned_as_a_float_is_told_to_return_a_tensor(kernel):
    def as_float(logits, states, actions, advantages):
        return float(surrogate_loss(logits, states, actions, advantages).detach())

    result = kernel.verdict("test_surrogate_loss", surrogate_loss=as_float)
    assert not result.passed and "must return a torch tensor" in result.text()


def test_a_sign_error_costs_the_loss_cells_and_the_dual_path(kernel):
    def flipped(logits, states, actions, advantages):
        return -surrogate_loss(logits, states, actions, advantages)

    results = verdicts(kernel, surrogate_loss=flipped)
    assert failed(results) == {
        "test_surrogate_loss",
        "test_surrogate_loss_detached",
        "test_actor_critic_unbiased",
    }
    assert results["test_surrogate_loss"].misconception == "surrogate.sign"
    assert results["test_surrogate_loss_detached"].misconception == "surrogate.sign"


def test_a_td_target_not_held_constant_fails_only_its_cell(kernel):
    def residual(values, states, rewards, gamma):
        n, T = states.shape
        current = values[torch.arange(T), states]
        following = torch.zeros_like(current)
        following[:, :-1] = values[torch.arange(1, T), states[:, 1:]]
        return 0.5 * ((rewards + gamma * following - current) ** 2).sum() / n

    results = verdicts(kernel, critic_td_loss=residual)
    assert failed(results) == {"test_critic_td_loss"}
    assert results["test_critic_td_loss"].misconception == "critic_td.target_not_constant"


def test_gae_right_for_a_wrong_td_errors_is_not_charged_again(kernel):
    """A wrong td_errors costs its own cell; gae and n-step built on it keep theirs (one bug,
    one charge); the dual path judges the functions as they are and names the helper."""

    def td_errors(rewards, states, values, gamma):
        return ref.td_errors(rewards, states, values, 1.0)  # no gamma

    def gae_advantages(rewards, states, values, gamma, lam):
        delta = td_errors(rewards, states, values, gamma)
        out, running = np.zeros(delta.shape), np.zeros(delta.shape[0])
        for t in reversed(range(delta.shape[1])):
            running = delta[:, t] + gamma * lam * running
            out[:, t] = running
        return out

    def n_step_advantages(rewards, states, values, gamma, n_steps):
        delta = td_errors(rewards, states, values, gamma)
        T = delta.shape[1]
        return np.stack(
            [delta[:, t : t + n_steps] @ gamma ** np.arange(min(n_steps, T - t)) for t in range(T)],
            axis=1,
        )

    own = {
        "td_errors": td_errors,
        "gae_advantages": gae_advantages,
        "n_step_advantages": n_step_advantages,
    }
    results = verdicts(kernel, **own)
    assert results["test_td_errors"].misconception == "td.no_gamma"
    for name in ("test_gae_advantages", "test_n_step_advantages"):
        assert results[name].passed and results[name].excused_by == ("td_errors",), name
    dual = results["test_actor_critic_unbiased"]
    assert not dual.passed and "uses the td_errors you wrote" in dual.text()
    assert failed(results) == {"test_td_errors", "test_actor_critic_unbiased"}


# --------------------------------------------------------------------------- the dual path


def test_the_dual_path_draws_the_right_number_of_episodes_from_positive_trajectories():
    theta, mdp, states, actions, _, _ = probes._pglab_dual_case()
    probs = checks.trajectory_probabilities(theta, mdp, states, actions)
    assert np.all(probs > 0) and math.isclose(probs.sum(), 1.0, rel_tol=1e-12)
    seed = next(p.seed for p in probes.PROBES if p.name == "test_actor_critic_unbiased")
    counts = checks._sampled_counts(seed)
    assert counts.sum() == checks.EPISODES and counts.shape == probs.shape
    # the counts are one multinomial draw: each within 6 standard deviations of N p
    sd = np.sqrt(checks.EPISODES * probs * (1 - probs))
    assert np.all(np.abs(counts - checks.EPISODES * probs) < 6 * sd)


def test_the_monte_carlo_path_alone_catches_a_biased_gae(kernel):
    """gamma and lambda swapped: biased with the true V (by 0.053 at lambda = 0, 20 times the
    acceptance radius), and the simulation says so, not only the enumeration."""

    def swapped(rewards, states, values, gamma, lam):
        return ref.gae_advantages(rewards, states, values, lam, gamma)

    result = kernel.verdict("test_actor_critic_unbiased", gae_advantages=swapped)
    assert not result.passed
    line = next(x for x in result.details if x.startswith("GAE(lambda = 0)"))
    assert "differs from grad J" in line and line.endswith("BIASED.")


def test_a_gae_that_is_wrong_but_unbiased_with_the_true_values_passes_the_dual_path(kernel):
    """The forward recursion only adds earlier TD errors, which have zero mean against later
    scores: with the true V the estimator stays unbiased (the lesson of section 4)."""

    def forward(rewards, states, values, gamma, lam):
        delta = ref.td_errors(rewards, states, values, gamma)
        out, running = np.zeros(delta.shape), np.zeros(delta.shape[0])
        for t in range(delta.shape[1]):
            running = delta[:, t] + gamma * lam * running
            out[:, t] = running
        return out

    results = verdicts(kernel, gae_advantages=forward)
    assert failed(results) == {"test_gae_advantages"}
    assert results["test_gae_advantages"].misconception == "gae.forward"


def test_the_grader_judges_without_torch(kernel, tmp_path):
    """Verdicts are numpy-only: a grader process where torch cannot be imported judges the
    records a kernel with torch made."""
    import json
    import subprocess
    import sys

    probe = next(p for p in probes.PROBES if p.name == "test_actor_critic_unbiased")
    (tmp_path / "outputs.json").write_text(json.dumps(kernel.record(probe)))
    script = (
        "import json, sys\n"
        "sys.modules['torch'] = None  # import torch now raises ImportError\n"
        "from pglab.assignments import ASSIGNMENTS\n"
        "from pglab.judge import judge_cell\n"
        f"outputs = json.load(open({str(tmp_path / 'outputs.json')!r}))\n"
        "verdict = judge_cell(ASSIGNMENTS['actor_critic'], 'test_actor_critic_unbiased', outputs)\n"
        "print(verdict.passed, verdict.summary)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("True "), done.stdout


# --------------------------------------------------------------------------- gaming the excuse


def _gae_on(td_errors):
    def gae_advantages(rewards, states, values, gamma, lam):
        delta = np.asarray(td_errors(rewards, states, values, gamma), dtype=float)
        out, running = np.zeros(delta.shape), np.zeros(delta.shape[0])
        for t in reversed(range(delta.shape[1])):
            running = delta[:, t] + gamma * lam * running
            out[:, t] = running
        return out

    return gae_advantages


def test_the_only_helper_a_check_may_blame_has_its_own_cell():
    """The excused callers' feedback names test_td_errors: it exists and tests td_errors."""
    blamed = {
        probe.parts[i].function
        for probe in probes.PROBES
        if probe.name in ("test_gae_advantages", "test_n_step_advantages")
        for i in range(1, len(probe.parts))
    }
    assert blamed == {"td_errors"}
    by_name = {p.name: p for p in probes.PROBES}
    assert by_name["test_td_errors"].parts[0].function == "td_errors"


@pytest.mark.parametrize("kind", ["zero", "constant"])
def test_a_zero_or_constant_td_errors_excuses_nothing(kernel, kind):
    """gae built on a td_errors that returns zeros (or the same table whatever its inputs) is
    'right for that helper' on every call, and that says nothing: it is charged."""

    def td_errors(rewards, states, values, gamma):
        shape = np.shape(rewards)
        return np.zeros(shape) if kind == "zero" else np.ones(shape)

    gae = _gae_on(td_errors)
    result = kernel.verdict("test_gae_advantages", td_errors=td_errors, gae_advantages=gae)
    assert not result.passed and not result.excused_by, result.text()
