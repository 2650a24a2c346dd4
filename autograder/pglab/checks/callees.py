"""One bug, one charge: accept a function that is right for the helpers the student wrote.

A probe may record, besides the function under test, what the student's own helper
functions (its possible callees) return on the same inputs.  If the function's outputs
equal a formula evaluated with the student's values for some of those helpers, at least
one of which is itself wrong, the function is right and only the helper is at fault: the
helper's own cell charges for it (``checks/attribution.py`` makes sure it does).

An excuse must carry information (docs/grading.md, "What an excuse requires"):

- a call is *explained by value* when the caller's output equals the formula with the
  student's helper values and the formula's value is finite (no nan = nan agreement out of a
  0/0 the helper's zeros cause); it is *evidence* only if the helper's values are neither
  zero where the reference is not nor the same on every call where the reference's are not
  (a zero or constant helper makes every caller "right": zero times anything is zero) and
  the formula's value is not all zeros;
- a call is *explained by the helper's error* when the helper raised and the caller raised
  the same exception (type and message: it came up through the caller), or the helper's
  values are non-finite and the caller's output is non-finite in exactly the entries the
  formula makes non-finite.  A stub (NotImplementedError) explains nothing, and where the
  notebook's source is known the caller must in fact use the helper;
- a caller is excused when every call is explained and at least one call is evidence, or
  when every call is explained and some through the helper's errors: then it is excused but
  ``unverified``: it could not be checked on any value, so its cell gets no automatic score
  and goes to a TA (``preprocessors/write_verdicts.py``). Points it kept automatically would
  be bought by a helper that raises on purpose.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pglab.checks.verdict import NOTEBOOK, agrees
from pglab.records import CallError, PartRecord


@dataclass(frozen=True)
class Callee:
    """A helper's recorded outputs, its inputs, and the reference for them."""

    name: str
    record: PartRecord
    calls: Sequence[tuple]
    reference: Callable[..., object]
    _truths: dict = field(default_factory=dict, compare=False, repr=False)

    def output(self, index: int) -> np.ndarray | None:
        return self.record.outputs[index]

    def error(self, index: int) -> CallError | None:
        return next((e for e in self.record.errors if e.call == index), None)

    def truth(self, index: int) -> np.ndarray:
        if index not in self._truths:
            with np.errstate(all="ignore"):
                value = self.reference(*self.calls[index])
            self._truths[index] = np.asarray(value, dtype=np.float64)
        return self._truths[index]

    def is_wrong(self) -> bool:
        return any(not agrees(self.output(i), self.truth(i)) for i in range(len(self.calls)))

    def constant(self) -> bool:
        """The same values on every call with arguments of the same shapes (whatever their
        values), where the reference's values differ between some such calls."""
        if "constant" in self._truths:
            return self._truths["constant"]
        outputs = self.record.outputs
        groups: dict[tuple, list[int]] = {}
        for index, out in enumerate(outputs):
            if out is None:
                self._truths["constant"] = False
                return False
            shapes = tuple(np.shape(a) if _is_array(a) else None for a in self.calls[index])
            groups.setdefault((out.size, shapes), []).append(index)
        same = all(
            np.array_equal(outputs[g[0]], outputs[i], equal_nan=True)
            for g in groups.values()
            for i in g[1:]
        )
        differ = any(
            not np.array_equal(self.truth(g[0]).ravel(), self.truth(i).ravel())
            for g in groups.values()
            for i in g[1:]
        )
        self._truths["constant"] = same and differ
        return same and differ

    def degenerate(self, index: int) -> bool:
        """Values a check cannot tell a right caller from a wrong one with: all zero where
        the reference is not, or constant over the calls."""
        out = self.output(index)
        if out is None:
            return False
        truth = self.truth(index)
        return bool(np.all(out == 0) and np.any(truth != 0)) or self.constant()


def _is_array(value: object) -> bool:
    try:
        return np.asarray(value).dtype != object
    except Exception:  # noqa: BLE001 - an object numpy cannot take (an MDP)
        return False


@dataclass(frozen=True)
class Blame:
    """The wrong helpers that explain a caller's record, and how much that says."""

    names: tuple[str, ...]
    #: calls explained by (informative) values
    informative: int
    #: calls explained by the helper's errors or non-finite values
    through_errors: int

    @property
    def unverified(self) -> bool:
        return self.informative == 0


def blame_callees(
    record: PartRecord,
    calls: Sequence[tuple],
    callees: Sequence[Callee],
    formula: Callable[[tuple, Mapping[str, np.ndarray]], object],
    caller: str | None = None,
) -> Blame | None:
    """The wrong helpers that fully explain ``record``, or None if none do.

    Tries every non-empty set of wrong helpers, taking the student's values for those and the
    reference for the rest, smallest sets first.
    """
    wrong = [c for c in callees if c.is_wrong()]
    for size in range(1, len(wrong) + 1):
        for chosen in itertools.combinations(wrong, size):
            blame = _explains(record, calls, callees, chosen, formula, caller)
            if blame is not None:
                return blame
    return None


def _uses(caller: str | None, helper: str) -> bool:
    context = NOTEBOOK.get()
    if context is None or caller is None:
        return True  # nothing known about the source: values and errors decide alone
    return context.calls(caller, helper) is not False


def _same_error(caller_error: CallError | None, helper_error: CallError | None) -> bool:
    return (
        caller_error is not None
        and helper_error is not None
        and caller_error.type != "NotImplementedError"
        and caller_error.type == helper_error.type
        and caller_error.message == helper_error.message
    )


def _same_errors(record: PartRecord, helper: Callee, index: int) -> bool:
    """The caller raised the helper's exception on call ``index``. A record keeps the first
    three errors only: where call ``index``'s are not kept, every error the caller's record
    keeps must be one the helper's record keeps (same type and message)."""
    mine = next((e for e in record.errors if e.call == index), None)
    theirs = helper.error(index)
    if mine is not None and theirs is not None:
        return _same_error(mine, theirs)
    if not record.errors or not helper.record.errors:
        return False
    return all(any(_same_error(e, h) for h in helper.record.errors) for e in record.errors)


def _explains(record, calls, callees, chosen, formula, caller) -> Blame | None:
    own = {c.name for c in chosen}
    informative = through_errors = 0
    for index, (args, out) in enumerate(zip(calls, record.outputs, strict=True)):
        raised = [c for c in chosen if c.output(index) is None]
        if raised:
            if out is None and all(
                _same_errors(record, c, index) and _uses(caller, c.name) for c in raised
            ):
                through_errors += 1
                continue
            return None
        values = {c.name: c.output(index) if c.name in own else c.truth(index) for c in callees}
        try:
            with np.errstate(all="ignore"):
                expected = np.asarray(formula(args, values), dtype=np.float64)
        except (ValueError, IndexError, TypeError):
            return None  # the helper's values have a shape the formula cannot use
        if out is None or out.size != expected.size:
            return None
        out = out.reshape(expected.shape)
        helper_finite = all(np.all(np.isfinite(values[name])) for name in own)
        broken = ~np.isfinite(expected)
        if not helper_finite:
            # the helper's nan/inf: the caller must be non-finite exactly where it makes the
            # formula non-finite, and right elsewhere
            if not (
                broken.any()
                and np.array_equal(broken, ~np.isfinite(out))
                and agrees(out[~broken], expected[~broken])
                and all(_uses(caller, c.name) for c in chosen)
            ):
                return None
            through_errors += 1
            continue
        if broken.any() or not agrees(out, expected):
            return None  # a 0/0 of finite helper values tells nothing apart
        if np.any(expected != 0) and not any(c.degenerate(index) for c in chosen):
            informative += 1  # else: consistent with the helper, but no evidence
    if informative == 0 and through_errors == 0:
        return None  # only zeros: any caller that returns zeros would be "right"
    return Blame(tuple(sorted(own)), informative, through_errors)


def charged_elsewhere(function: str, blame: Blame | Sequence[str]) -> str:
    helpers = list(blame.names if isinstance(blame, Blame) else blame)
    names = " and ".join(helpers)
    cells = " and ".join(own_cell(name) for name in helpers)
    return (
        f"{function} is right for the {names} you wrote; its values are off only because "
        f"{names} {'is' if len(helpers) == 1 else 'are'} wrong, which costs points in the "
        f"cells that test {names} (such as {cells}), not here."
    )


def could_not_be_checked(function: str, helpers: Sequence[str]) -> str:
    """The summary of a cell whose function could not be checked on any value because the
    helpers it calls raised (or returned values that are not finite) on every call."""
    names = " and ".join(helpers)
    cells = " and ".join(own_cell(name) for name in helpers)
    return (
        f"{function} could not be checked on any value: the {names} you wrote raised an error "
        f"(or returned values that are not finite) on every call checked here, and {function} "
        f"did the same. That costs points in the cells that test {names} (such as {cells}); "
        f"whether {function} itself is right, a TA reads in your code, so this cell has no "
        "automatic score."
    )


def own_cell(function: str) -> str:
    """The grade cell that tests ``function`` itself (tests/test_blame.py checks that every
    helper a check may blame has one)."""
    return f"test_{function}"


def excused(
    function: str,
    blame: Blame,
    verdict,
    details: Sequence[str] = (),
    figure=None,
    unverified: bool | None = None,
):
    """The passing verdict of a caller ``blame`` excuses; ``verdict`` is what it gets if the
    excuse does not hold (see checks/attribution.py). ``unverified`` defaults to the blame's:
    an excuse that rests on no value goes to a TA with no automatic score."""
    from pglab.checks.verdict import Verdict

    unverified = blame.unverified if unverified is None else unverified
    return Verdict(
        True,
        could_not_be_checked(function, blame.names)
        if unverified
        else charged_elsewhere(function, blame),
        tuple(details),
        figure=figure,
        excused_by=blame.names,
        unexcused=verdict,
        unverified=unverified,
    )
