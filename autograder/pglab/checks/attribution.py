"""Settling excuses across cells: an excuse holds only where the helper is charged, and only
while the helper answers the same for the same inputs in every cell.

Each check decides its cell from that cell's record alone; a cell excused as "right for the
<helper> you wrote" leaves the charge to the helper's own cell.  This module, run once per
notebook after every check, makes that true (docs/grading.md, "Attribution"):

- **consistency**: every recorded value of a function on inputs another cell also recorded
  (the same call, or for functions that answer per action the same (theta, action)) must
  agree.  A function that answers differently voids every excuse that blames it, and a flag
  for the TA says where;
- **someone pays**: an excuse holds only while the blamed helper's own cell is charged (it
  fails, or is itself excused by a helper that is charged).  A helper that passes its own
  check but was recorded wrong for another cell's probe excuses nothing;
- an excuse that rests only on the helper's errors or non-finite values (the caller could
  not be checked on any value) stands, with a flag for the TA.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pglab.checks.callees import own_cell
from pglab.checks.verdict import Verdict, describe_call, fmt
from pglab.probes import Probe
from pglab.records import PartRecord

#: Arguments larger than this (Monte Carlo batches) are not compared across cells.
MAX_ELEMENTS = 100_000


@dataclass(frozen=True)
class CellRecords:
    """What one grade cell recorded: its probe, the rebuilt inputs, the decoded parts."""

    probe: Probe
    inputs: list[list[tuple]]
    parts: list[PartRecord]


@dataclass(frozen=True)
class Inconsistency:
    """``function`` returned ``first`` in cell ``cells[0]`` and ``second`` in ``cells[1]`` for
    the same inputs ``args`` (described)."""

    function: str
    cells: tuple[str, str]
    call: str
    first: str
    second: str

    def sentence(self) -> str:
        a, b = self.cells
        return (
            f"{self.function} gave different answers to the same call: {self.call} returned "
            f"{self.first} in {a} and {self.second} in {b}. A function must answer the same "
            "whichever check calls it."
        )


def parameters_of(assignment: str) -> Mapping[str, Sequence[str]]:
    """The parameter names of an assignment's student functions (for describing calls), as
    registered in ``pglab.assignments``."""
    from pglab.assignments import ASSIGNMENTS

    found = ASSIGNMENTS.get(assignment)
    return found.parameters if found else {}


def references_of(assignment: str) -> Callable[[str], Callable | None]:
    """Name -> the reference of what the probes record of an assignment's student function
    (for actor_critic's losses: their value and gradients), as registered in
    ``pglab.assignments``."""
    from pglab.assignments import ASSIGNMENTS

    found = ASSIGNMENTS.get(assignment)
    return found.reference_for if found else (lambda name: None)


def constant_everywhere(
    function: str, cells: Mapping[str, CellRecords], reference: Callable | None
) -> bool:
    """Whether ``function`` returned the same values on every recorded call with outputs of
    the same size, in every cell, where the reference's values differ: a helper that does not
    depend on its inputs, which no check can tell a right caller from a wrong one with."""
    if reference is None:
        return False
    groups: dict[tuple, list[tuple[tuple, np.ndarray]]] = {}
    for cell in cells.values():
        for part, calls, record in zip(cell.probe.parts, cell.inputs, cell.parts, strict=True):
            if part.function != function:
                continue
            for args, out in zip(calls, record.outputs, strict=True):
                if out is None:
                    return False
                if any(_key(a) is None for a in args):
                    continue
                if function in PER_ENTRY:  # per action: the same value for each action?
                    for entry_args, value in PER_ENTRY[function](args, out):
                        group = (np.shape(entry_args[0]), repr(entry_args[1:]))
                        groups.setdefault(group, []).append((entry_args, value))
                else:
                    group = (out.size, tuple(np.shape(a) for a in args))
                    groups.setdefault(group, []).append((args, out))
    same = all(
        np.array_equal(g[0][1], out, equal_nan=True) for g in groups.values() for _, out in g[1:]
    )
    if not same:
        return False
    with np.errstate(all="ignore"):
        for group in groups.values():
            truths = [np.asarray(reference(*args), dtype=np.float64).ravel() for args, _ in group]
            if any(not np.array_equal(truths[0], t) for t in truths[1:]):
                return True
    return False


# ----------------------------------------------------------------------------- same inputs


def _key(value: object) -> bytes | None:
    """A canonical fingerprint of one argument, or None if it cannot be compared."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:  # most of them: fast
        if value.size > MAX_ELEMENTS:
            return None
        return repr(value.shape).encode() + b"|" + value.tobytes()
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - an object numpy cannot take (an MDP): compare by repr
        array = None
    if array is not None and array.dtype != object:
        if array.size > MAX_ELEMENTS:
            return None
        array = np.ascontiguousarray(array, dtype=np.float64)
        return repr(array.shape).encode() + b"|" + array.tobytes()
    text = repr(value)
    return text.encode() if len(text) < 10_000 else None


def _call_key(args: tuple) -> bytes | None:
    keys = [_key(a) for a in args]
    if any(k is None for k in keys):
        return None
    return b"\0".join(keys)


def _per_action(args: tuple, out: np.ndarray | None) -> Iterator[tuple[tuple, object]]:
    """log_prob / grad_log_prob (reinforce): one value per action, as the call
    (theta, [action]) would return it."""
    theta, actions = args[0], np.asarray(args[1]).ravel()
    if out is not None and out.size != actions.size:
        return
    for j, action in enumerate(actions.tolist()):
        value = None if out is None else out.ravel()[j : j + 1]
        yield (theta, np.array([action])), value


def _per_action_row(args: tuple, out: np.ndarray | None) -> Iterator[tuple[tuple, object]]:
    """grad_log_softmax (rewards_to_go): one row of K per action, as the call
    (theta, [action]) would return it."""
    theta, actions = np.asarray(args[0]), np.asarray(args[1]).ravel()
    k = theta.size
    if out is not None and out.size != actions.size * k:
        return
    rows = None if out is None else out.reshape(actions.size, k)
    for j, action in enumerate(actions.tolist()):
        yield (theta, np.array([action])), None if rows is None else rows[j]


#: Functions whose answer is per action: compared entry by entry across cells.
PER_ENTRY: Mapping[str, Callable] = {
    "log_prob": _per_action,
    "grad_log_prob": _per_action,
    "grad_log_softmax": _per_action_row,
}


def _distinct(entries: Iterator[tuple[tuple, object]]) -> list[tuple[tuple, object]]:
    """One call's per-action entries without exact repeats (same action, same bytes out).

    A repeat can neither raise a new inconsistency nor change the first answer on record,
    and a probe that draws 60,000 actions from two would otherwise be fingerprinted 60,000
    times."""
    kept, marks = [], set()
    for entry_args, value in entries:
        out = None if value is None else np.asarray(value)
        mark = (entry_args[1].tobytes(), None if out is None else (out.dtype.str, out.tobytes()))
        if mark not in marks:
            marks.add(mark)
            kept.append((entry_args, value))
    return kept


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a.size != b.size:
        return False
    a, b = a.ravel(), b.ravel()
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= 1e-12 + 1e-9 * np.maximum(np.abs(a), np.abs(b))
    return bool(np.all(close | (a == b) | (np.isnan(a) & np.isnan(b))))


def _shown(value) -> str:
    if value is None:
        return "an error"
    return fmt(np.asarray(value))


def inconsistencies(
    cells: Mapping[str, CellRecords], parameters: Mapping[str, Sequence[str]]
) -> list[Inconsistency]:
    """Every function that answered the same inputs differently in two cells (one per
    function and pair of cells)."""
    seen: dict[tuple[str, bytes], tuple[str, object, tuple]] = {}
    found: dict[tuple[str, str, str], Inconsistency] = {}
    # A function probed in one cell only cannot disagree across cells: its calls (60,000 of
    # leave_one_out_baseline in reinforce) need no fingerprint.
    cells_of: dict[str, set[str]] = {}
    for grade_id, cell in cells.items():
        for part in cell.probe.parts:
            cells_of.setdefault(part.function, set()).add(grade_id)
    for grade_id, cell in cells.items():
        for part, calls, record in zip(cell.probe.parts, cell.inputs, cell.parts, strict=True):
            function = part.function
            if len(cells_of[function]) < 2:
                continue
            for args, out in zip(calls, record.outputs, strict=True):
                if function in PER_ENTRY:
                    entries = _distinct(PER_ENTRY[function](args, out))
                else:
                    entries = [(args, out)]
                for entry_args, value in entries:
                    key = _call_key(entry_args)
                    if key is None:
                        continue
                    earlier = seen.setdefault((function, key), (grade_id, value, entry_args))
                    first_cell, first_value, first_args = earlier
                    if first_cell == grade_id or _same(first_value, value):
                        continue
                    pair = (function, first_cell, grade_id)
                    if pair not in found:
                        names = parameters.get(function, ())
                        found[pair] = Inconsistency(
                            function,
                            (first_cell, grade_id),
                            describe_call(function, first_args, names),
                            _shown(first_value),
                            _shown(value),
                        )
    return list(found.values())


# ----------------------------------------------------------------------------- settling


@dataclass(frozen=True)
class Note:
    """Something a TA should look at (it becomes a tamper flag)."""

    cell: str
    rule: str
    message: str


def settle(
    verdicts: Mapping[str, Verdict],
    cells: Mapping[str, CellRecords],
    parameters: Mapping[str, Sequence[str]],
    reference: Callable[[str], Callable | None] = lambda name: None,
) -> tuple[dict[str, Verdict], list[Note]]:
    """The verdicts with every excuse that does not hold replaced by the cell's own verdict,
    and the notes for the TA."""
    verdicts = dict(verdicts)
    notes: list[Note] = []
    own_cells: dict[str, list[str]] = {}
    for grade_id, cell in cells.items():
        own_cells.setdefault(cell.probe.parts[0].function, []).append(grade_id)

    found = inconsistencies(cells, parameters)
    liars = {}
    for item in found:
        liars.setdefault(item.function, item)
        notes.append(Note(item.cells[1], "answers-differently", item.sentence()))

    def void(grade_id: str, reason: str) -> None:
        verdict = verdicts[grade_id]
        base = verdict.unexcused or Verdict(False, verdict.summary)
        verdicts[grade_id] = dataclasses.replace(base, details=(*base.details, reason))

    for grade_id, verdict in list(verdicts.items()):
        for helper in verdict.excused_by:
            if helper in liars and verdicts[grade_id].excused_by:
                void(
                    grade_id,
                    f"Not excused: {liars[helper].sentence()} The difference is charged here.",
                )

    blamed = {h for v in verdicts.values() for h in v.excused_by}
    constant = {h for h in blamed if constant_everywhere(h, cells, reference(h))}
    for grade_id, verdict in list(verdicts.items()):
        for helper in verdict.excused_by:
            if helper in constant and verdicts[grade_id].excused_by:
                void(
                    grade_id,
                    f"Not excused: your {helper} returns the same values whatever its inputs, "
                    "so no check can tell a right use of it from a wrong one.",
                )

    # Someone pays: repeat until no excuse changes (excuses may chain).
    changed = True
    while changed:
        changed = False
        for grade_id, verdict in list(verdicts.items()):
            if not verdict.excused_by:
                continue
            for helper in verdict.excused_by:
                own = own_cells.get(helper) or [c for c in [own_cell(helper)] if c in verdicts]
                if any(_charged(verdicts, cell, own_cells) for cell in own):
                    continue
                where = ", ".join(own) if own else "no cell of this notebook"
                void(
                    grade_id,
                    f"Not excused: your {helper} passes its own check ({where}) but returned "
                    f"wrong values when this cell's check called it, so the difference is "
                    "charged here.",
                )
                notes.append(
                    Note(
                        grade_id,
                        "helper-right-only-in-its-own-cell",
                        f"{helper} passes {where} but returned wrong values when {grade_id} "
                        "recorded it (it may answer differently depending on who calls it).",
                    )
                )
                changed = True
                break

    for grade_id, verdict in verdicts.items():
        if verdict.excused_by and verdict.unverified:
            names = " and ".join(verdict.excused_by)
            notes.append(
                Note(
                    grade_id,
                    "unverified-excuse",
                    f"{grade_id} has no automatic score, for a TA: {names} raised or returned "
                    "values that are not finite on every call it checks, and so did the "
                    "function it tests, which could not be checked on any value.",
                )
            )
    return verdicts, notes


def _charged(verdicts: Mapping[str, Verdict], cell: str, own_cells, depth: int = 0) -> bool:
    """Whether ``cell`` costs the student points, directly or through a chain of excuses."""
    verdict = verdicts.get(cell)
    if verdict is None or depth > 10:
        return False
    if not verdict.passed:
        return True
    return any(
        _charged(verdicts, other, own_cells, depth + 1)
        for helper in verdict.excused_by
        for other in own_cells.get(helper) or [own_cell(helper)]
    )
