"""Names the test modules share (import them from here: with tests/browser/conftest.py
beside tests/conftest.py, ``from conftest import ...`` is ambiguous)."""

from __future__ import annotations

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


def pglab(course: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """`pglab grade ASSIGNMENT ARGS --quiet` in ``course``, as an instructor runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pglab", "grade", ASSIGNMENT, *args, "--quiet"],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
