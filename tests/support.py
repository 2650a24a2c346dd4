"""Names the test modules share (import them from here: with tests/browser/conftest.py
beside tests/conftest.py, ``from conftest import ...`` is ambiguous)."""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

from pglab.course import nbgrader_env

REPOSITORY = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
ASSIGNMENT = "reinforce"
#: Every assignment whose corpora are graded through the real pipeline.
ASSIGNMENTS = ("reinforce", "rewards_to_go")


def corpus_dir(assignment: str = ASSIGNMENT) -> Path:
    """reinforce keeps its corpus at tests/corpus/{kind}; later ones at tests/corpus/<name>/."""
    return CORPUS if assignment == "reinforce" else CORPUS / assignment


def corpus_files(kind: str, assignment: str = ASSIGNMENT) -> list[Path]:
    """The corpus files of one kind (mutants, correct, attacks) of an assignment, one
    submission each."""
    return sorted((corpus_dir(assignment) / kind).glob("*.py"))


def student_id(path: Path) -> str:
    return f"{path.parent.name}-{path.stem}"


def without_demonstrations(notebook):
    """``notebook`` without the code cells nbgrader does not know: the lesson's
    demonstrations (training curves, running means, variance plots), which grade nothing.
    A student may delete them; grading restores every graded and given cell either way.

    The test classes whose subject is scoring or the pipeline around it (corpus mutants and
    correct variants, infrastructure runs) hand these in, so a whole suite does not train
    the same demonstrations hundreds of times; the instructor's solution, the blame cases,
    the sandbox classmates, the demo class and the journeys run the whole lesson."""
    notebook = copy.deepcopy(notebook)
    notebook.cells = [
        cell
        for cell in notebook.cells
        if cell.cell_type != "code" or "nbgrader" in cell.get("metadata", {})
    ]
    return notebook


def handed_in_by(notebook, student: str):
    """``notebook`` as ``student``'s own file: the same cells, with the student's name in the
    notebook's metadata, so that its bytes are theirs alone. `pglab grade` grades
    byte-identical files once; tests whose subject is several gradings under way at once
    (a run stopped after its first result, a worker killed mid-run, classmates graded
    around attacks) hand in copies that differ only there."""
    notebook = copy.deepcopy(notebook)
    notebook.metadata["pglab_test_student"] = student
    return notebook


#: The student API of the reinforce assignment, in notebook order.
API = (
    "log_prob",
    "grad_log_prob",
    "expected_reward",
    "analytic_gradient",
    "reinforce_estimates",
    "estimator_variance",
    "optimal_baseline",
    "leave_one_out_baseline",
)


def interruptible() -> None:
    """``preexec_fn`` for a command a test interrupts with SIGINT: Ctrl-C reaches it whatever
    the test process inherited. A process that starts with SIGINT ignored (or blocked)
    passes that on to everything it runs, and Python then installs no KeyboardInterrupt
    handler: one full-suite run's worker did, and `pglab grade` graded on through the
    interruption."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def pglab_in_process(course: Path, *args: str) -> tuple[int, str, str]:
    """``pglab ARGS`` run by this process in ``course`` (``pglab.cli.main``: the installed
    script's code without a Python start-up): its exit status, standard output and error.
    For the checks every verb makes before its own work; what a verb then does is tested
    through the installed script."""
    from pglab.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(course)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as end:  # argparse's errors and --version
                status = end.code if isinstance(end.code, int) else 1
    finally:
        os.chdir(here)
    return status, out.getvalue(), err.getvalue()


def pglab_script(course: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """The installed `pglab` script with ARGS in ``course``, as instructors run it (its
    sys.path does not start with the working directory, as `python -m` does: the course's
    own plugin must still import)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "pglab"), *args],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def pglab_started(course: Path, *args: str) -> subprocess.Popen:
    """The installed `pglab` script with ARGS in ``course``, started in its own session as a
    terminal starts it (Ctrl-C, ``os.killpg(SIGINT)``, reaches all of it); text output."""
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "pglab"), *args],
        cwd=course,
        env=nbgrader_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )


def pglab(
    course: Path, *args: str, timeout: int = 900, quiet: bool = True
) -> subprocess.CompletedProcess:
    """`pglab grade ASSIGNMENT ARGS --quiet` in ``course``, as an instructor runs it (its
    output captured: not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "pglab", "grade", ASSIGNMENT, *args, *(["--quiet"] * quiet)],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


#: The student API of the rewards_to_go assignment (docs/rewards_to_go.md), in notebook order.
REWARDS_TO_GO_API = (
    "softmax",
    "log_softmax",
    "grad_log_softmax",
    "expected_reward",
    "exact_gradient",
    "reinforce_estimates",
    "discounted_returns",
    "rewards_to_go",
    "step_scores",
    "reinforce_total_return",
    "reinforce_rewards_to_go",
    "state_values",
    "reinforce_value_baseline",
)


class ProbeKernel:
    """A kernel replaced by ``exec`` of a probe's rendered hidden region, in a namespace whose
    student functions are the reference's unless overridden: probe -> record -> verdict in
    this process (the real nbgrader pipeline is exercised by test_grading_pipeline)."""

    def __init__(self, assignment: str, api: tuple[str, ...], given: tuple[str, ...] = ()):
        import importlib

        from pglab.assignments import ASSIGNMENTS

        self.assignment = ASSIGNMENTS[assignment]
        self.reference = importlib.import_module(f"pglab.reference.{assignment}")
        #: the student's functions, then the notebook's given helpers the probes may call
        self.api = api
        self.given = given

    def reference_namespace(self) -> dict:
        import numpy as np

        names = self.api + self.given
        return {"np": np, **{name: getattr(self.reference, name) for name in names}}

    def record(self, probe, **overrides) -> list[dict]:
        """The outputs a kernel shows for the probe's cell."""
        return record_probe(probe, self.reference_namespace() | overrides)

    def verdict(self, name: str, **overrides):
        """The verdict on autograded cell NAME, judged outside the kernel as pglab does."""
        from pglab.judge import judge_cell

        probe = self.assignment.probes[name]
        return judge_cell(self.assignment, name, self.record(probe, **overrides))


@functools.cache
def rendered(probe) -> str:
    """The hidden-test code of ``probe`` (``pglab.probes.render``), made once per process: it
    reads each builder's source with ``inspect``, a fifth of the in-process mutant tests' time
    when it was made again for every call."""
    from pglab.probes import render

    return render(probe, "tests")


def record_probe(probe, namespace: dict) -> list[dict]:
    """The outputs ``probe``'s hidden-test code shows when run in ``namespace`` (a kernel's
    globals: the student's functions and the notebook's helpers), which it may change."""
    from unittest import mock

    shown = []

    def display(data, raw=False):
        shown.append({"output_type": "display_data", "data": data, "metadata": {}})

    with mock.patch("IPython.display.display", display):
        exec(rendered(probe), namespace)  # noqa: S102 - our own probe code
    return shown


REWARDS_TO_GO_KERNEL = ProbeKernel("rewards_to_go", REWARDS_TO_GO_API)


#: fixed-answers-added's answers, each answer cell left as given: one typed in a cell added
#: below its answer cell, one in a cell added above it (between the question and the answer
#: cell), a blank cell added below a third; and one answer cell deleted (it follows a
#: read-only question cell, which nbgrader's own restoring could not handle).
def autograded_points(assignment: str = "reinforce") -> float:
    """The points of the source notebook's autograded test cells: a correct notebook's score."""
    import nbformat

    source = nbformat.read(REPOSITORY / "source" / assignment / f"{assignment}.ipynb", 4)
    return float(
        sum(
            c.metadata["nbgrader"]["points"]
            for c in source.cells
            if c.cell_type == "code"
            and c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution")
        )
    )


ANSWERS_ADDED = {
    "answer_score_function": ("below", "The score function is ..."),
    "answer_optimal_baseline": ("above", "Setting the derivative to zero ..."),
    "answer_variance": ("below", "  \n"),
    "answer_constant_baseline": ("end", "**Q4.** A constant baseline ..."),
}
DELETED_ANSWER = "answer_leave_one_out"


def answered_in_added_cells(release):
    """The release, with ANSWERS_ADDED's texts in cells added next to their answer cells or at
    the end of the notebook, and DELETED_ANSWER's cell deleted."""
    import nbformat

    notebook = copy.deepcopy(release)
    for grade_id, (where, text) in ANSWERS_ADDED.items():
        index = next(
            i
            for i, c in enumerate(notebook.cells)
            if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
        )
        at = {"below": index + 1, "above": index, "end": len(notebook.cells)}[where]
        notebook.cells.insert(at, nbformat.v4.new_markdown_cell(text))
    notebook.cells = [
        c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") != DELETED_ANSWER
    ]
    return notebook
