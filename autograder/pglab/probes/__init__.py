"""Probes: the self-contained code that hidden test cells run in the student's kernel.

A :class:`Probe` names the grade cell it feeds, carries a seed, and lists *parts*: which
student function to call and a builder that turns a seeded numpy Generator into the list
of argument tuples.  :func:`render` turns a probe into the text of a hidden-test region;
the grader calls :func:`rebuild_inputs` to get the very same arguments without trusting
anything the kernel reported about them.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pglab.probes import runtime

InputBuilder = Callable[[np.random.Generator], list]


@dataclass(frozen=True)
class Part:
    """Call ``function`` on the argument tuples ``build_inputs`` makes.

    The builder gets ``numpy.random.default_rng([seed, stream])``; two parts with the same
    stream see the same random draws (a callee part reuses its caller's inputs that way).

    ``adapter``, if given, is how the kernel calls the function: ``adapter(function, args)``
    returns the numpy values to record (a torch loss: its value and the gradients that
    ``.backward()`` leaves).  Every part of a probe that names the function must use the
    same adapter; probes without one render exactly as before.
    """

    function: str
    build_inputs: InputBuilder
    stream: int | None = None
    adapter: Callable[[Callable, tuple], object] | None = None


@dataclass(frozen=True)
class Probe:
    name: str
    seed: int
    parts: tuple[Part, ...]
    helpers: tuple[Callable, ...] = field(default=())

    def rebuild_inputs(self) -> list[list[tuple]]:
        """The argument tuples of every part, exactly as the kernel built them."""
        return [
            part.build_inputs(np.random.default_rng([self.seed, stream]))
            for part, stream in zip(self.parts, self.streams(), strict=True)
        ]

    def streams(self) -> list[int]:
        return [index if p.stream is None else p.stream for index, p in enumerate(self.parts)]


BEGIN_MARKER = "### BEGIN HIDDEN TESTS"
END_MARKER = "### END HIDDEN TESTS"


def _source(function: Callable) -> str:
    return textwrap.dedent(inspect.getsource(function)).strip()


def adapters(probe: Probe) -> dict[str, Callable]:
    """Function name -> the adapter its parts are called through (empty for most probes)."""
    found: dict[str, Callable] = {}
    for part in probe.parts:
        if part.adapter is not None:
            found.setdefault(part.function, part.adapter)
    for part in probe.parts:
        if part.function in found and part.adapter is not found[part.function]:
            raise ValueError(
                f"probe {probe.name}: every part that calls {part.function} must use the same "
                "adapter"
            )
    return found


def render(probe: Probe, module: str) -> str:
    """The hidden-test region (markers included) that runs ``probe`` in a kernel."""
    adapted = adapters(probe)
    emit = [runtime._pglab_emit_adapted] if adapted else []
    functions: list[Callable] = [runtime._pglab_emit, *emit, *probe.helpers]
    for part in probe.parts:
        if part.build_inputs not in functions:
            functions.append(part.build_inputs)
    for adapter in adapted.values():
        if adapter not in functions:
            functions.append(adapter)
    names = [f.__name__ for f in functions]
    parts = ", ".join(
        f'("{p.function}", {p.build_inputs.__name__}, {stream})'
        for p, stream in zip(probe.parts, probe.streams(), strict=True)
    )
    if adapted:
        table = ", ".join(f'"{name}": {a.__name__}' for name, a in adapted.items())
        call = f'_pglab_emit_adapted("{probe.name}", {probe.seed}, [{parts}], {{{table}}})'
    else:
        call = f'_pglab_emit("{probe.name}", {probe.seed}, [{parts}])'
    lines = [
        BEGIN_MARKER,
        f"# pglab probe '{probe.name}': records what your functions return; grading happens",
        f"# elsewhere. Generated from {module} by `pglab probes --write`; edit it there.",
        *(_source(f) + "\n" for f in functions),
        call,
        f"del {', '.join(names)}",
        END_MARKER,
    ]
    return "\n".join(lines)


def split_hidden_region(source: str) -> tuple[str, str | None]:
    """Split a test cell's source into (visible part, hidden region or None)."""
    start = source.find(BEGIN_MARKER)
    if start < 0:
        return source, None
    end = source.find(END_MARKER, start)
    if end < 0:
        raise ValueError("hidden-test region has no end marker")
    end += len(END_MARKER)
    return source[:start] + source[end:].lstrip("\n"), source[start:end]


def replace_hidden_region(source: str, region: str) -> str:
    """Put ``region`` at the top of a test cell, replacing any region already there."""
    visible, _ = split_hidden_region(source)
    return region + "\n" + visible.lstrip("\n")


def probes_by_name(probes: Sequence[Probe]) -> dict[str, Probe]:
    return {p.name: p for p in probes}
