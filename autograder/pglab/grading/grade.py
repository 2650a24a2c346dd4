"""``grade``: one submission's bytes and the bundle in; graded notebook, scores, timings out.

The steps are nbgrader's own preprocessors, in nbgrader's order:

1. read: bytes -> notebook (nbformat 3 is upgraded; anything unreadable is refused with a
   message a student can act on);
2. sanitize: ClearOutput, RestoreCellMetadata (every cell's nbgrader metadata from the
   source), DeduplicateIds (+ ForgetDuplicateCells), OverwriteKernelspec, OverwriteCells
   (with add_missing_cells as configured), RestoreCellOrder, CheckCellMetadata, with source
   cells from the bundle;
3. execute: ``SandboxedExecute`` (bubblewrap, output caps, dead kernels handled);
4. judge: ``SanitizeStudentHTML`` (the HTML a student's outputs and answers hold is cleaned
   before any browser shows it), IgnorePattern, ClearMetadataPreprocessor, LimitOutput, then
   ``WriteVerdicts``,
   then ``FlagTampering`` (static-scan flags for the TA; they never change a score), then
   ``FlagAnswersInAddedCells`` (a written answer left as given while the student typed text
   in cells of their own goes to a TA, not a 0);
5. score: nbgrader's ``determine_grade`` for each graded cell.
Text that cannot be encoded (lone surrogates, from a kernel's JSON or the file's own) is
escaped in the submission as read and in everything returned (``pglab.grading.text``).
``grade_plainly`` turns any exception into that submission's plain-text error.

Each step is called as nbgrader calls it (``step(nb, resources)``), so a step that is
disabled in the config (nbconvert's ClearMetadataPreprocessor is, by default) does nothing.
It reads no file of the course and writes none (a scratch directory of the system's
temporary directory holds the notebook while its kernel runs; those that killed graders
left are removed), so any process that has the bundle can call it.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader import utils
from nbgrader.preprocessors import (
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
)
from traitlets import Integer
from traitlets.config import Configurable

from pglab.grading.bundle import Bundle
from pglab.grading.limits import too_large
from pglab.grading.memory_gradebook import OverwriteCellsFromBundle, OverwriteKernelspecFromBundle
from pglab.grading.text import plain, plain_text
from pglab.preprocessors.flag_answers_in_added_cells import FlagAnswersInAddedCells
from pglab.preprocessors.flag_tampering import FlagTampering
from pglab.preprocessors.forget_duplicate_cells import ForgetDuplicateCells
from pglab.preprocessors.restore_cell_metadata import (
    CheckCellMetadataPerStudent,
    RestoreCellMetadata,
)
from pglab.preprocessors.restore_cell_order import RestoreCellOrder
from pglab.preprocessors.sandboxed_execute import SandboxedExecute, error_output
from pglab.preprocessors.sanitize_student_html import SanitizeStudentHTML
from pglab.preprocessors.save_auto_grades_once import for_a_ta
from pglab.preprocessors.write_verdicts import WriteVerdicts
from pglab.sandbox.scratch import new_name, sweep

#: The temporary directory that holds a submission while its kernel runs: PREFIX<pid>-*.
SCRATCH_PREFIX = "pglab-grade-"


class Grading(Configurable):
    """Settings of ``pglab.grading.grade`` (set them as ``c.Grading.*`` in nbgrader_config.py)."""

    notebook_timeout = Integer(
        900,
        help="Seconds one notebook may run in all. When they run out, the running cell is "
        "stopped and later cells are not run; cells that finished keep their points. "
        "Each cell also has its own limit, c.Execute.timeout.",
    ).tag(config=True)


class _ExecuteWithDeadline(SandboxedExecute):
    """``SandboxedExecute`` that also stops at a whole-notebook deadline."""

    deadline: float = float("inf")

    def preprocess_cell(self, cell, resources, index):
        remaining = self.deadline - time.monotonic()
        if cell.cell_type == "code" and cell.source.strip() and remaining <= 0:
            cell.outputs = [
                error_output("NotebookTimeout", "not run: the notebook's time limit ran out")
            ]
            return cell, resources
        per_cell = self.timeout
        # Rounded up, so a cell stopped by the deadline ends at or after it: nothing later runs.
        self.timeout = math.ceil(max(1.0, min(per_cell or remaining, remaining)))
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            self.timeout = per_cell


class UnreadableSubmission(ValueError):
    """The bytes are not a notebook we can grade; the message says why, in plain words."""


@dataclass(frozen=True)
class CellResult:
    grade_id: str
    score: float | None
    max_score: float
    passed: bool | None
    summary: str
    misconception: str | None = None


@dataclass
class GradeResult:
    """What grading one submission produced. ``error`` set means nothing was graded."""

    notebook: str | None
    cells: list[CellResult] = field(default_factory=list)
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    #: tamper-evidence flags (``pglab.tamper``), as dicts
    flags: list[dict] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(c.score or 0.0 for c in self.cells)


#: JSON nested deeper than this is refused: a notebook needs about ten levels, and nbconvert's
#: templates (feedback pages) recurse through it, so a deep one would fail later, for others too.
MAX_NESTING = 64


def _nesting(value) -> int:
    """How deeply lists and dicts nest in ``value`` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                stack.extend(
                    (v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)
                )
    return deepest


def read_submission(data: bytes) -> nbformat.NotebookNode:
    """Parse and validate a submitted notebook, upgrading nbformat 3 to 4."""
    if problem := too_large(len(data)):
        raise UnreadableSubmission(problem)
    if not data.strip():
        raise UnreadableSubmission("the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableSubmission(f"the file is not UTF-8 text (byte {error.start})") from None
    deep = UnreadableSubmission(
        f"the file's JSON is nested more than {MAX_NESTING} levels deep; a notebook saved by "
        "Jupyter never is"
    )
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableSubmission(
            f"the file is not valid notebook JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}); it may be truncated or edited outside Jupyter"
        ) from None
    except RecursionError:
        raise deep from None
    if _nesting(parsed) > MAX_NESTING:
        raise deep
    raw = plain(parsed)
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise UnreadableSubmission("the file is JSON but not a Jupyter notebook")
    try:
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several types for bad structure
        first_line = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise UnreadableSubmission(f"the notebook's structure is invalid: {first_line}") from None
    return notebook


def grade(bundle: Bundle, notebook_name: str, submission: bytes) -> GradeResult:
    """Grade one submitted notebook of ``bundle.assignment``; pure apart from the kernel it runs."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    spec = bundle.notebooks.get(notebook_name)
    if spec is None:
        return GradeResult(None, error=f"{bundle.assignment} has no notebook {notebook_name!r}")
    try:
        notebook = read_submission(submission)
    except UnreadableSubmission as error:
        return GradeResult(None, error=str(error))
    resources = {
        "nbgrader": {"notebook": notebook_name, "assignment": bundle.assignment},
        "pglab": {"notebook_spec": spec},
    }
    config = bundle.config
    for step in (
        ClearOutput,
        RestoreCellMetadata,
        DeduplicateIds,
        ForgetDuplicateCells,
        OverwriteKernelspecFromBundle,
        OverwriteCellsFromBundle,
        RestoreCellOrder,
        CheckCellMetadataPerStudent,
    ):
        notebook, resources = step(config=config)(notebook, resources)
    timings["sanitize"] = time.perf_counter() - started

    mark = time.perf_counter()
    # Named after this process, so that the next grader removes what a killed one left.
    sweep(Path(tempfile.gettempdir()), SCRATCH_PREFIX)
    with tempfile.TemporaryDirectory(prefix=new_name(SCRATCH_PREFIX)) as scratch:
        nbformat.write(notebook, Path(scratch) / f"{notebook_name}.ipynb")
        resources["metadata"] = {"path": scratch, "name": notebook_name}
        previous = os.environ.get("NBGRADER_EXECUTION")
        os.environ["NBGRADER_EXECUTION"] = "autograde"
        try:
            executor = _ExecuteWithDeadline(config=config)
            executor.deadline = time.monotonic() + Grading(config=config).notebook_timeout
            notebook, resources = executor(notebook, resources)
        finally:
            if previous is None:
                os.environ.pop("NBGRADER_EXECUTION", None)
            else:
                os.environ["NBGRADER_EXECUTION"] = previous
    timings["execute"] = time.perf_counter() - mark

    mark = time.perf_counter()
    for step in (
        SanitizeStudentHTML,  # the kernel's outputs, before the verdicts join them
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        WriteVerdicts,
        FlagTampering,
        FlagAnswersInAddedCells,
    ):
        notebook, resources = step(config=config)(notebook, resources)
    verdicts = resources.get("pglab", {}).get("verdicts", {})
    cells = []
    for cell in notebook.cells:
        if not utils.is_grade(cell):
            continue
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        score, max_score = utils.determine_grade(cell)
        verdict = verdicts.get(grade_id)
        ta = for_a_ta(cell)  # no automatic score: SaveAutoGradesOnce saves it for a TA
        if ta:
            score = None
        cells.append(
            CellResult(
                grade_id,
                score,
                max_score,
                verdict.passed if verdict and not ta else None,
                ta["summary"] if ta else plain_text(verdict.summary) if verdict else "",
                plain_text(verdict.misconception) if verdict and verdict.misconception else None,
            )
        )
    timings["judge"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    plain(notebook)  # a kernel's lone surrogates, in kept outputs or quoted by a verdict
    flags = list(notebook.metadata.get("pglab", {}).get("tamper_flags", []))
    return GradeResult(nbformat.writes(notebook), cells, None, timings, flags)


def describe(error: BaseException) -> str:
    """An exception as one line of plain text: its type and the first line of its message."""
    text = str(error).strip()
    first = text.splitlines()[0][:300] if text else ""
    return plain_text(f"{type(error).__name__}: {first}" if first else type(error).__name__)


def grade_plainly(bundle: Bundle, notebook_name: str, submission: bytes) -> GradeResult:
    """``grade``, with any exception turned into this submission's plain-text ``error``: what
    a worker sends back is always plain data, whatever the student's file held."""
    try:
        return grade(bundle, notebook_name, submission)
    except Exception as error:
        return GradeResult(None, error=f"could not be graded: {describe(error)}")
