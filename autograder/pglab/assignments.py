"""The registry of assignments pglab knows how to grade: probes and checks by grade cell."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pglab.checks import reinforce as reinforce_checks
from pglab.misconceptions import reinforce as reinforce_misconceptions
from pglab.probes import Probe
from pglab.probes import reinforce as reinforce_probes


@dataclass(frozen=True)
class Assignment:
    name: str
    probes: Mapping[str, Probe]
    checks: Mapping[str, Callable]
    probe_module: str
    #: the known mistakes of this assignment (``pglab.misconceptions``)
    catalogue: tuple = ()


ASSIGNMENTS: dict[str, Assignment] = {
    "reinforce": Assignment(
        "reinforce",
        {p.name: p for p in reinforce_probes.PROBES},
        reinforce_checks.CHECKS,
        "autograder/pglab/probes/reinforce.py",
        reinforce_misconceptions.CATALOGUE,
    ),
}
