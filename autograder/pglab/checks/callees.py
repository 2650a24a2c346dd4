"""One bug, one charge: accept a function that is right for the helpers the student wrote.

A probe may record, besides the function under test, what the student's own helper
functions (its possible callees) return on the same thetas.  If the function's outputs
equal a formula evaluated with the student's values for some of those helpers, at least
one of which is itself wrong, the function is correct and only the helper is at fault:
the helper's own cell already charges for it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pglab.checks.verdict import agrees
from pglab.records import PartRecord


@dataclass(frozen=True)
class Callee:
    """A helper's recorded outputs, its inputs, and the reference for them."""

    name: str
    record: PartRecord
    calls: Sequence[tuple]
    reference: Callable[..., object]

    def own(self, index: int) -> np.ndarray | None:
        out = self.record.outputs[index]
        return out if out is not None and np.all(np.isfinite(out)) else None

    def truth(self, index: int) -> np.ndarray:
        return np.asarray(self.reference(*self.calls[index]), dtype=np.float64)

    def is_wrong(self) -> bool:
        return any(
            self.own(i) is None or not agrees(self.own(i), self.truth(i))
            for i in range(len(self.calls))
        )


def blame_callees(
    record: PartRecord,
    calls: Sequence[tuple],
    callees: Sequence[Callee],
    formula: Callable[[tuple, Mapping[str, np.ndarray]], object],
) -> list[str] | None:
    """Names of the wrong helpers that fully explain ``record``, or None if none do.

    Tries every non-empty set of wrong helpers, taking the student's values for those and the
    reference for the rest, smallest sets first.
    """
    wrong = [c for c in callees if c.is_wrong()]
    for size in range(1, len(wrong) + 1):
        for chosen in itertools.combinations(wrong, size):
            names = {c.name for c in chosen}
            if _explains(record, calls, callees, names, formula):
                return sorted(names)
    return None


def _explains(record, calls, callees, own_names, formula) -> bool:
    for index, (args, out) in enumerate(zip(calls, record.outputs, strict=True)):
        values = {}
        for callee in callees:
            value = callee.own(index) if callee.name in own_names else callee.truth(index)
            if value is None:
                return False
            values[callee.name] = value
        try:
            with np.errstate(all="ignore"):
                expected = np.asarray(formula(args, values), dtype=np.float64)
        except (ValueError, IndexError, TypeError):
            return False  # the helper's values have a shape the formula cannot use
        if not agrees(out, expected):
            return False
    return True


def charged_elsewhere(function: str, helpers: Sequence[str]) -> str:
    names = " and ".join(helpers)
    return (
        f"{function} is right for the {names} you wrote; its values are off only because "
        f"{names} {'is' if len(helpers) == 1 else 'are'} wrong, which costs points in "
        f"{'that cell' if len(helpers) == 1 else 'those cells'} only."
    )
