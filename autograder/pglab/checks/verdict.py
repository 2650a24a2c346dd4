"""Verdicts, the exact-agreement comparison every check builds on, and the one verdict tail
(``exact``, ``failed_everywhere``) the exact checks of every assignment share."""

from __future__ import annotations

import ast
import contextvars
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pglab.records import PartRecord

#: Agreement with the reference: |student - reference| <= ATOL + RTOL |reference|.
#: Any float64 implementation that is exact in real arithmetic stays within a few
#: hundred ulps on the graded inputs (|theta| <= 6), far inside these bounds.
RTOL = 1e-9
ATOL = 1e-12


@dataclass(frozen=True)
class Verdict:
    """A grade cell's outcome: passed or not, one line for the student, details after it."""

    passed: bool
    summary: str
    details: tuple[str, ...] = field(default=())
    misconception: str | None = None
    #: A PNG that shows the verdict (Monte Carlo checks), or None.
    figure: bytes | None = field(default=None, repr=False)
    #: The student's helpers whose own cells this verdict leaves the charge to ("right for
    #: the helper you wrote"); empty for a verdict that is not such an excuse.
    excused_by: tuple[str, ...] = field(default=())
    #: The verdict this cell gets if the excuse does not hold (checks/attribution.py).
    unexcused: Verdict | None = field(default=None, repr=False)
    #: True when the excuse rests only on errors or non-finite values of the helper (the
    #: caller could not be checked on any value): the TA gets a flag.
    unverified: bool = False

    def text(self) -> str:
        return "\n".join((self.summary, *self.details))


def fmt(value: object) -> str:
    """A compact, readable rendering of an argument or output for feedback."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return fmt(value.item())
        shown = ", ".join(fmt(v) for v in value.ravel()[:6].tolist())
        more = ", ..." if value.size > 6 else ""
        return f"[{shown}{more}] (shape {value.shape})"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    return repr(value)


def describe_call(function: str, args: Sequence, names: Sequence[str]) -> str:
    shown = ", ".join(f"{n}={fmt(a)}" for n, a in zip(names, args, strict=False))
    return f"{function}({shown})"


def agrees(
    output: np.ndarray | None, expected: np.ndarray | float, ndim: int | None = None
) -> bool:
    """True when ``output`` has the expected shape and matches to RTOL/ATOL."""
    if output is None:
        return False
    expected = np.asarray(expected, dtype=np.float64)
    if output.size != expected.size or (ndim is not None and ndim != expected.ndim):
        return False
    output = output.reshape(expected.shape)
    with np.errstate(invalid="ignore"):
        close = np.abs(output - expected) <= ATOL + RTOL * np.abs(expected)
    # The reference is finite, but an imitation of an overflowing mistake (softmax without
    # the max shift) is not: an infinite expected value agrees only with the same infinity
    # (the relative tolerance would accept anything there), and nan only with nan.
    ok = (output == expected) | (close & np.isfinite(expected))
    ok |= np.isnan(output) & np.isnan(expected)
    return bool(np.all(ok))


@dataclass(frozen=True)
class Disagreement:
    call: int
    args: tuple
    output: np.ndarray | None
    expected: np.ndarray


def disagreements(
    record: PartRecord, calls: Sequence[tuple], reference: Callable[..., object]
) -> list[Disagreement]:
    """Every call whose recorded output differs from ``reference(*args)``."""
    found = []
    for index, (args, output, ndim) in enumerate(
        zip(calls, record.outputs, record.ndims, strict=True)
    ):
        expected = np.asarray(reference(*args), dtype=np.float64)
        if not agrees(output, expected, ndim):
            found.append(Disagreement(index, tuple(args), output, expected))
    return found


def explain_disagreement(
    function: str, names: Sequence[str], record: PartRecord, bad: Sequence[Disagreement], total: int
) -> list[str]:
    """Plain-words description of where and how a function's outputs are off."""
    first = bad[0]
    lines = [f"{len(bad)} of {total} checked calls disagree with the correct values."]
    call = describe_call(function, first.args, names)
    if first.output is None:
        error = next((e for e in record.errors if e.call == first.call), None)
        reason = f"{error.type}: {cut(error.message)}" if error else "an error"
        lines.append(f"For example {call} raised {reason}.")
        return lines
    if first.output.size != first.expected.size:
        lines.append(
            f"For example {call} returned {first.output.size} value(s); "
            f"it should return {first.expected.size} (shape {first.expected.shape})."
        )
        return lines
    output = first.output.reshape(first.expected.shape)
    if not np.all(np.isfinite(output)):
        lines.append(f"For example {call} returned {fmt(output)}, which is not finite.")
    else:
        lines.append(f"For example {call} returned {fmt(output)}; expected {fmt(first.expected)}.")
    lines.extend(first_difference(output, first.expected))
    lines.extend(_direction(bad))
    return lines


def first_difference(output: np.ndarray, expected: np.ndarray) -> list[str]:
    """The first entry where ``output`` and ``expected`` differ, with enough digits to see it."""
    output, expected = np.asarray(output, dtype=np.float64), np.asarray(expected, np.float64)
    if output.shape != expected.shape or output.size == 0:
        return []
    with np.errstate(invalid="ignore"):
        close = np.abs(output - expected) <= ATOL + RTOL * np.abs(expected)
    wrong = np.flatnonzero(~(close | (output == expected)))
    if wrong.size == 0:
        return []
    flat = int(wrong[0])
    index = np.unravel_index(flat, output.shape) if output.ndim else ()
    where = f"[{', '.join(str(int(i)) for i in index)}]" if index else ""
    mine, theirs = _distinct(float(output.ravel()[flat]), float(expected.ravel()[flat]))
    return [f"The first entry that differs is {where or 'the value'}: {mine}; correct: {theirs}."]


def _distinct(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` with the fewest significant digits (at least 6) that tell them apart."""
    for digits in range(6, 18):
        left, right = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if left != right:
            return left, right
    return repr(a), repr(b)


#: Exception messages in feedback are cut to about this many characters (at a word boundary).
MESSAGE_LIMIT = 160


def cut(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """``message`` on one line, cut at a word boundary to at most ``limit`` characters."""
    message = " ".join(str(message).split())
    if len(message) <= limit:
        return message
    head = message[:limit]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip(" ,;:") + " ..."


def _direction(bad: Sequence[Disagreement]) -> list[str]:
    """Name a pattern common to all disagreements: a sign flip, a constant factor or offset."""
    pairs = [
        (d.output.reshape(d.expected.shape).ravel(), d.expected.ravel())
        for d in bad
        if d.output is not None and d.output.size == d.expected.size
    ]
    if not pairs:
        return []
    got = np.concatenate([p[0] for p in pairs])
    want = np.concatenate([p[1] for p in pairs])
    if not np.all(np.isfinite(got)):
        return []
    scale = ATOL + RTOL * np.abs(want) + 1e-6 * np.max(np.abs(want))
    if np.all(np.abs(got + want) <= scale):
        return ["Every differing value has the right size but the opposite sign."]
    mask = np.abs(want) > 1e-9
    if mask.any():
        ratio = got[mask] / want[mask]
        if np.ptp(ratio) < 1e-6 * max(1.0, abs(float(np.mean(ratio)))):
            return [f"Your values are the correct ones times {float(np.mean(ratio)):.6g}."]
    if np.ptp(got - want) < 1e-6 * max(1.0, float(np.max(np.abs(want)))):
        return [f"Your values are the correct ones plus {float(np.mean(got - want)):.6g}."]
    if np.all(got > want):
        return ["Your values are too large wherever they differ."]
    if np.all(got < want):
        return ["Your values are too small wherever they differ."]
    return []


# --------------------------------------------------------------------------- the notebook
# A check sees the records of its own cell; what the rest of the notebook says (where a name
# is defined, which function calls which) comes from this context, which ``pglab.judge`` sets
# while it judges a notebook. Without it (a check run on records alone) those sentences are
# simply less specific.


#: The most source the judge reads in one cell, and in one notebook: the analysis runs in the
#: grading process, outside the sandbox's limits, and Python's syntax tree takes about 120
#: times the memory of its source. A cell past either is judged without reading its code.
MAX_ANALYSED_CELL = 100_000
MAX_ANALYSED_NOTEBOOK = 1_000_000


def analysed_sources(sources: Sequence[str]) -> list[str]:
    """``sources`` with every cell the judge does not read (past ``MAX_ANALYSED_CELL``, or
    once ``MAX_ANALYSED_NOTEBOOK`` is read) replaced by an empty string."""
    kept, total = [], 0
    for source in sources:
        if len(source) > MAX_ANALYSED_CELL or total + len(source) > MAX_ANALYSED_NOTEBOOK:
            kept.append("")
            continue
        total += len(source)
        kept.append(source)
    return kept


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        try:
            from pglab.tamper import python_source

            return ast.parse(python_source(source))
        except (SyntaxError, ValueError):
            return None


def _bound_names(tree: ast.Module) -> set[str]:
    """Names a cell binds at its top level (def, class, assignment, import)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
    return names


@dataclass(frozen=True)
class NotebookContext:
    """The code cells of the notebook being judged, and the grade cell being judged now.

    ``parsed`` holds each cell's syntax tree once it is read; the contexts of one notebook's
    grade cells share it (``judge_notebook_with_notes``), and it goes with the notebook."""

    cells: tuple[tuple[str | None, str], ...]  # (grade_id or None, source), in order
    grade_id: str | None = None
    parsed: dict = field(default_factory=dict, compare=False, repr=False)

    def _position(self) -> int:
        for index, (grade_id, _) in enumerate(self.cells):
            if grade_id == self.grade_id:
                return index
        return len(self.cells)

    def _tree(self, index: int) -> ast.Module | None:
        if index not in self.parsed:
            self.parsed[index] = _parse(self.cells[index][1])
        return self.parsed[index]

    def _trees(self, indices) -> list[ast.Module]:
        return [t for t in (self._tree(i) for i in indices) if t is not None]

    def defined_later(self, name: str) -> bool:
        """Whether a cell after the one being judged defines ``name``."""
        later = range(self._position() + 1, len(self.cells))
        return any(name in _bound_names(tree) for tree in self._trees(later))

    def _definitions(self) -> dict[str, tuple[ast.FunctionDef, list[str]]]:
        """Each function's last ``def`` above the cell being judged, and its cell's lines:
        made once per grade cell, so that following a caller's names costs one look-up each."""
        position = self._position()
        key = ("definitions", position)
        if key not in self.parsed:
            found: dict[str, tuple[ast.FunctionDef, list[str]]] = {}
            for index in range(position):
                tree = self._tree(index)
                for node in tree.body if tree is not None else ():
                    if isinstance(node, ast.FunctionDef):
                        found[node.name] = (node, self.cells[index][1].splitlines())
            self.parsed[key] = found
        return self.parsed[key]

    def definition(self, function: str) -> tuple[ast.FunctionDef, list[str]] | None:
        """The last ``def function`` above the cell being judged, and its cell's lines."""
        return self._definitions().get(function)

    def functions(self) -> list[str]:
        """Names of the functions defined above the cell being judged, in order."""
        names: list[str] = []
        for tree in self._trees(range(self._position())):
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name not in names:
                    names.append(node.name)
        return names

    def line_using(self, function: str, name: str) -> str | None:
        """The first line of ``function``'s body that uses ``name``, stripped."""
        found = self.definition(function)
        if found is None:
            return None
        node, lines = found
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id == name and isinstance(sub.ctx, ast.Load):
                if 0 < sub.lineno <= len(lines):
                    return lines[sub.lineno - 1].strip()
        return None

    def calls(self, caller: str, helper: str) -> bool | None:
        """Whether ``caller`` (or a function it uses, and so on) names ``helper``; None when
        ``caller``'s definition is not found."""
        key = ("calls", self._position(), caller, helper)
        if key not in self.parsed:
            self.parsed[key] = self._follow(caller, helper)
        return self.parsed[key]

    def _follow(self, caller: str, helper: str) -> bool | None:
        seen, todo = set(), [caller]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            found = self.definition(name)
            if found is None:
                if name == caller:
                    return None
                continue
            used = {n.id for n in ast.walk(found[0]) if isinstance(n, ast.Name) and n.id != name}
            if helper in used:
                return True
            todo.extend(used)
        return False


NOTEBOOK: contextvars.ContextVar[NotebookContext | None] = contextvars.ContextVar(
    "pglab_notebook", default=None
)


# --------------------------------------------------------------------------- the shared tail


def recognise(misconceptions: Sequence, record: PartRecord, calls: Sequence[tuple]):
    """The catalogued mistake whose imitation matches every recorded output, if any."""
    for mistake in misconceptions:
        try:
            with np.errstate(all="ignore"):
                if all(
                    agrees(out, np.asarray(mistake.imitate(*args), dtype=np.float64))
                    for args, out in zip(calls, record.outputs, strict=True)
                ):
                    return mistake
        except Exception:  # noqa: BLE001 - an imitation that cannot run on an input is no match
            continue
    return None


def exact(
    function: str,
    record: PartRecord,
    calls: Sequence[tuple],
    reference: Callable[..., object],
    what: str,
    parameters: Sequence[str],
    misconceptions: Sequence,
) -> Verdict:
    """Pass when every call agrees with the reference; otherwise diagnose (every assignment's
    exact checks end here)."""
    if all(out is None for out in record.outputs) and record.errors:
        return failed_everywhere(function, record, len(calls))
    bad = disagreements(record, calls, reference)
    if not bad:
        return Verdict(True, f"{function} is correct on all {len(calls)} {what}.")
    mistake = recognise(misconceptions, record, calls)
    details = explain_disagreement(function, parameters, record, bad, len(calls))
    if mistake is not None:
        return Verdict(False, mistake.feedback, tuple(details), mistake.id)
    return Verdict(False, f"{function} does not return the correct values.", tuple(details))


_UNDEFINED = re.compile(r"name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")


def failed_everywhere(function: str, record: PartRecord, total: int) -> Verdict:
    """Every call raised: say what, in the words a student needs to fix it."""
    error = record.first_error()
    count = f"(on all {total} calls)"
    if error.type == "NotImplementedError":
        return Verdict(
            False,
            f"{function} is not implemented yet: replace "
            "`raise NotImplementedError()` with your code.",
        )
    missing = _UNDEFINED.search(error.message) if error.type == "NameError" else None
    if missing and missing.group(1) == function:
        return Verdict(
            False,
            f"There is no function called {function}: keep the name and "
            "signature given in the notebook.",
        )
    if missing:
        name = missing.group(1)
        context = NOTEBOOK.get()
        if context is not None and context.defined_later(name):
            return Verdict(
                False,
                f"{function} uses {name}, which is defined below its test cell: a function "
                "can only use what is defined above the cell that tests it.",
                (count,),
            )
        owner, line = function, None
        if context is not None:
            line = context.line_using(function, name)
            if line is None:  # not in function itself: in a helper it calls?
                owner = next(
                    (
                        other
                        for other in context.functions()
                        if other != function
                        and context.calls(function, other)
                        and context.line_using(other, name)
                    ),
                    function,
                )
                line = context.line_using(owner, name)
        inside = owner if owner == function else f"{owner} (which {function} calls)"
        details = (f"The line that uses it: {line}",) if line else ()
        return Verdict(
            False,
            f"name {name} is not defined inside your function {inside}.",
            (*details, count),
        )
    message = f": {cut(error.message)}" if error.message else ""
    return Verdict(False, f"{function} raised {error.type}{message}", (count,))
