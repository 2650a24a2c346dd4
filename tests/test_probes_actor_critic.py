"""actor_critic probes and checks, end to end in this process (probe -> record -> verdict).

The kernel is replaced by ``exec`` of the rendered hidden region (``support.ProbeKernel``);
the "student" is the reference for the numpy functions and the torch implementations below
for the two losses.  The real nbgrader pipeline is exercised by the grading tests.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest
from support import ProbeKernel

from pglab.checks import actor_critic as checks
from pglab.probes import actor_critic as probes
from pglab.probes import render
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
