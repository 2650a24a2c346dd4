"""Verdicts and the exact-agreement comparison every check builds on."""

from __future__ import annotations

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

    def text(self) -> str:
        return "\n".join((self.summary, *self.details))


def fmt(value: object) -> str:
    """A compact, readable rendering of an argument or output for feedback."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return fmt(value.item())
        shown = ", ".join(fmt(v) for v in value.ravel()[:6].tolist())
        more = ", ..." if value.size > 6 else ""
        return f"[{shown}{more}] (shape {value.shape})" if value.size > 6 else f"[{shown}]"
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
        reason = f"{error.type}: {error.message}" if error else "an error"
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
    lines.extend(_direction(bad))
    return lines


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
