"""The registry of assignments pglab knows how to grade: probes and checks by grade cell."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
from pglab.reference import actor_critic_given, rewards_to_go_given


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


ASSIGNMENTS: dict[str, Assignment] = {
    "reinforce": Assignment(
        "reinforce",
        {p.name: p for p in reinforce_probes.PROBES},
        reinforce_checks.CHECKS,
        "autograder/pglab/probes/reinforce.py",
        reinforce_misconceptions.CATALOGUE,
    ),
    "rewards_to_go": Assignment(
        "rewards_to_go",
        {p.name: p for p in rewards_to_go_probes.PROBES},
        rewards_to_go_checks.CHECKS,
        "autograder/pglab/probes/rewards_to_go.py",
        rewards_to_go_misconceptions.CATALOGUE,
        {rewards_to_go_given.GRADE_ID: rewards_to_go_given.cell_source},
    ),
    "actor_critic": Assignment(
        "actor_critic",
        {p.name: p for p in actor_critic_probes.PROBES},
        actor_critic_checks.CHECKS,
        "autograder/pglab/probes/actor_critic.py",
        actor_critic_misconceptions.CATALOGUE,
        {actor_critic_given.GRADE_ID: actor_critic_given.cell_source},
    ),
}
