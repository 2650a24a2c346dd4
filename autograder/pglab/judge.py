"""Judging an executed notebook: records in, one verdict per autograded cell out.

This is a pure function of the notebook's cells and the assignment; it never runs
student code.  nbgrader's autograde (through ``WriteVerdicts``) and pglab's own tools
call it the same way.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

from pglab.assignments import Assignment
from pglab.checks.attribution import (
    CellRecords,
    Note,
    parameters_of,
    references_of,
    settle,
)
from pglab.checks.verdict import NOTEBOOK, NotebookContext, Verdict, analysed_sources
from pglab.probes import Probe
from pglab.records import RecordError, find_record


def _kernel_error(outputs: list) -> str | None:
    for output in outputs:
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"[:300]
    return None


def _read_only(value):
    """``value``, with every numpy array in it (in lists, tuples, dicts and namespaces such
    as an MDP's) made read-only."""
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
    elif isinstance(value, list | tuple):
        for item in value:
            _read_only(item)
    elif isinstance(value, dict):
        _read_only(list(value.values()))
    elif isinstance(value, SimpleNamespace):
        _read_only(list(vars(value).values()))
    return value


@functools.cache
def _inputs(probe: Probe) -> list[list[tuple]]:
    """``probe.rebuild_inputs()``, built once per process and shared by every notebook it
    judges: they are the same for every submission (seeded), and building them costs up to
    0.1 s a notebook. Their arrays are read-only, so a check that wrote into one would fail
    loudly rather than change the next notebook's inputs."""
    return _read_only(probe.rebuild_inputs())


def judge_cell(assignment: Assignment, grade_id: str, outputs: list) -> Verdict:
    return _judge(assignment, grade_id, outputs)[0]


def _judge(
    assignment: Assignment, grade_id: str, outputs: list
) -> tuple[Verdict, CellRecords | None]:
    probe = assignment.probes[grade_id]
    inputs = _inputs(probe)
    try:
        parts = find_record(outputs, probe, [len(calls) for calls in inputs])
    except RecordError as error:
        details = []
        kernel_error = _kernel_error(outputs)
        if kernel_error:
            details.append(f"The cell raised {kernel_error}")
        return Verdict(False, f"This check could not run: {error}.", tuple(details)), None
    verdict = assignment.checks[grade_id](probe, inputs, parts)
    return verdict, CellRecords(probe, inputs, parts)


def judge_notebook(assignment: Assignment, cells: list) -> dict[str, Verdict]:
    """Verdicts for every grade cell of ``cells`` that the assignment has a probe for."""
    return judge_notebook_with_notes(assignment, cells)[0]


def judge_notebook_with_notes(
    assignment: Assignment, cells: list
) -> tuple[dict[str, Verdict], list[Note]]:
    """The verdicts, with excuses settled across cells (``checks/attribution.py``), and the
    notes for the TA that settling produced."""
    code_cells = [c for c in cells if c.get("cell_type") == "code"]
    sources = analysed_sources([str(c.get("source", "")) for c in code_cells])
    code = tuple(
        (c.get("metadata", {}).get("nbgrader", {}).get("grade_id"), source)
        for c, source in zip(code_cells, sources, strict=True)
    )
    parsed: dict = {}  # each cell's syntax tree, read once for the whole notebook
    verdicts, records = {}, {}
    for cell in cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("cell_type") == "code" and grade_id in assignment.probes:
            token = NOTEBOOK.set(NotebookContext(code, grade_id, parsed))
            try:
                verdict, record = _judge(assignment, grade_id, cell.get("outputs", []))
            finally:
                NOTEBOOK.reset(token)
            verdicts[grade_id] = verdict
            if record is not None:
                records[grade_id] = record
    name = assignment.name
    return settle(verdicts, records, parameters_of(name), references_of(name))
