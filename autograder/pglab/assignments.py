"""The registry of assignments pglab knows how to grade: probes and checks by grade cell."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pglab.checks import actor_critic as actor_critic_checks
from pglab.checks import reinforce as reinforce_checks
from pglab.checks import rewards_to_go as rewards_to_go_checks
from pglab.misconceptions import actor_critic as actor_critic_misconceptions
from pglab.misconceptions import reinforce as reinforce_misconceptions
from pglab.misconceptions import rewards_to_go as rewards_to_go_misconceptions
from pglab.probes import Probe
from pglab.probes import actor_critic as actor_critic_probes
from pglab.probes import reinforce as reinforce_probes
from pglab.probes import rewards_to_go as rewards_to_go_probes
from pglab.reference import actor_critic_given, reinforce, rewards_to_go, rewards_to_go_given


@dataclass(frozen=True)
class Assignment:
    name: str
    probes: Mapping[str, Probe]
    checks: Mapping[str, Callable]
    probe_module: str
    #: the known mistakes of this assignment (``pglab.misconceptions``)
    catalogue: tuple = ()
    #: generated cells that are not probes: grade_id -> a function returning the cell's source
    #: (``pglab probes --write`` writes them, ``--check`` fails when they are stale)
    generated: Mapping[str, Callable[[], str]] = field(default_factory=dict)
    #: student function -> its parameter names (to describe a call in feedback)
    parameters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: student function -> the reference of what its probes record (or None): used when
    #: excuses are settled across cells (``checks/attribution.py``)
    reference_for: Callable[[str], Callable | None] = lambda name: None
    #: earlier assignment -> its graded functions whose results this one's given code contains
    #: (the course builds on them): hand this one out only after that one's deadline and late
    #: window. ``pglab release`` says so; ``tests/test_release.py`` checks it against the
    #: formula-leak fragments.
    gives_results_of: Mapping[str, Sequence[str]] = field(default_factory=dict)


def _attribute_of(module) -> Callable[[str], Callable | None]:
    """The reference of a student function of the same name in ``module``."""
    return lambda name: getattr(module, name, None)


ASSIGNMENTS: dict[str, Assignment] = {
    "reinforce": Assignment(
        "reinforce",
        {p.name: p for p in reinforce_probes.PROBES},
        reinforce_checks.CHECKS,
        "autograder/pglab/probes/reinforce.py",
        reinforce_misconceptions.CATALOGUE,
        parameters=reinforce_checks.PARAMETERS,
        reference_for=_attribute_of(reinforce),
    ),
    "rewards_to_go": Assignment(
        "rewards_to_go",
        {p.name: p for p in rewards_to_go_probes.PROBES},
        rewards_to_go_checks.CHECKS,
        "autograder/pglab/probes/rewards_to_go.py",
        rewards_to_go_misconceptions.CATALOGUE,
        {rewards_to_go_given.GRADE_ID: rewards_to_go_given.cell_source},
        parameters=rewards_to_go_checks.PARAMETERS,
        reference_for=_attribute_of(rewards_to_go),
    ),
    "actor_critic": Assignment(
        "actor_critic",
        {p.name: p for p in actor_critic_probes.PROBES},
        actor_critic_checks.CHECKS,
        "autograder/pglab/probes/actor_critic.py",
        actor_critic_misconceptions.CATALOGUE,
        {actor_critic_given.GRADE_ID: actor_critic_given.cell_source},
        parameters=actor_critic_checks.PARAMETERS,
        reference_for=actor_critic_checks.reference_for,
        gives_results_of={
            "rewards_to_go": (
                "rewards_to_go",
                "step_scores",
                "reinforce_rewards_to_go",
                "state_values",
            )
        },
    ),
}
