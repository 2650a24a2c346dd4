"""Shared fixtures: the repository, and a class of corpus submissions graded by real nbgrader."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
import scheduling
from support import (
    ASSIGNMENT,
    REPOSITORY,
    REWARDS_TO_GO_KERNEL,
    ProbeKernel,
    answered_in_added_cells,
    corpus_files,
    student_id,
    without_demonstrations,
)

from pglab.course import add_submission, run_nbgrader, scores, scratch_course
from pglab.submissions import build_submission

SHARDS = max(1, min(2, os.cpu_count() or 1))


class GradedClass:
    """Scores and autograded notebooks of every corpus submission, graded once per session."""

    def __init__(self, courses: list[Path], assignment: str = ASSIGNMENT):
        self.courses = courses
        self.assignment = assignment
        self.scores = {}
        for course in courses:
            self.scores.update(scores(course, assignment))

    def course_of(self, student: str) -> Path:
        return next(c for c in self.courses if (c / "submitted" / student).exists())

    def notebook(self, student: str) -> nbformat.NotebookNode:
        name = self.assignment
        path = self.course_of(student) / "autograded" / student / name / f"{name}.ipynb"
        return nbformat.read(path, as_version=4)

    def cell_text(self, student: str, grade_id: str) -> str:
        for cell in self.notebook(student).cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                parts = []
                for output in cell.get("outputs", []):
                    parts.append(output.get("text", ""))
                    parts.extend(output.get("traceback", []))
                return "\n".join(parts)
        raise KeyError(grade_id)


def _submissions(assignment: str) -> dict[str, tuple[str, bool]]:
    """student id -> (corpus text, whole lesson?): every mutant, correct variant and blame case
    (gaming and helpers that raise, tests/test_blame.py), plus two fixed cases.

    Mutants and correct variants are handed in without the lesson's demonstrations
    (``support.without_demonstrations``): what they test is which cells score. The blame
    cases, whose helpers may answer differently once other code has called them, and the
    fixed solution run the whole notebook."""
    texts = {
        student_id(p): (p.read_text(), k == "blame")
        for k in ("mutants", "correct", "blame")
        for p in corpus_files(k, assignment)
    }
    texts["fixed-solution"] = ('"""The instructor\'s solution."""\n', True)
    texts["fixed-solution-again"] = texts["fixed-solution"]
    return texts


def grade_class(base: Path, assignment: str) -> GradedClass:
    """All corpus submissions of ``assignment``, autograded by plain `nbgrader autograde` in
    SHARDS courses."""
    template = scratch_course(REPOSITORY, base / "template", [assignment])
    source = nbformat.read(template / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release_path = REPOSITORY / "release" / assignment / f"{assignment}.ipynb"
    release = nbformat.read(release_path, as_version=4)
    courses = []
    for shard in range(SHARDS):
        course = base / f"shard{shard}"
        shutil.copytree(template, course)
        courses.append(course)
    for index, (student, (text, whole)) in enumerate(sorted(_submissions(assignment).items())):
        notebook = build_submission(release, source, text)
        if not whole:
            notebook = without_demonstrations(notebook)
        add_submission(courses[index % SHARDS], assignment, student, notebook)
    add_submission(courses[0], assignment, "fixed-release", release)
    if assignment == "reinforce":  # the rule is the same for every assignment: one suffices
        add_submission(
            courses[-1], assignment, "fixed-answers-added", answered_in_added_cells(release)
        )

    def autograde(course: Path) -> subprocess.CompletedProcess:
        return run_nbgrader(course, "autograde", assignment, "--force", check=False)

    with ThreadPoolExecutor(SHARDS) as pool:
        results = list(pool.map(autograde, courses))
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    return GradedClass(courses, assignment)


def run_directory(tmp_path_factory) -> Path:
    """This test run's temporary directory, the same for every pytest-xdist worker (each
    worker's own basetemp is a folder in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def exclusive(lock: Path):
    """Hold an exclusive lock on ``lock`` (a file), across processes."""
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_graded_class(tmp_path_factory, assignment: str) -> GradedClass:
    """``grade_class`` once per test run, whichever pytest-xdist worker asks first; the others
    wait for it and read the same graded courses."""
    shared = run_directory(tmp_path_factory) / "shared-graded-classes"
    shared.mkdir(exist_ok=True)
    base, done = shared / assignment, shared / f"{assignment}.json"
    with exclusive(shared / f"{assignment}.lock"):
        if done.exists():
            return GradedClass([Path(c) for c in json.loads(done.read_text())], assignment)
        if base.exists():  # a worker that failed half-way: grade again
            shutil.rmtree(base)
        graded = grade_class(base, assignment)
        done.write_text(json.dumps([str(c) for c in graded.courses]))
        return graded


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under `make test` (``--dist loadfile``): the longest test files start first
    (tests/scheduling.py). This hook runs in the pytest-xdist workers, which collect the
    tests; every worker sorts the same way, as pytest-xdist requires."""
    scheduling.apply(config, items)


@pytest.fixture(scope="session", autouse=True)
def scratch_course_templates(tmp_path_factory):
    """Every scratch course of this run made from the same config and sources is generated
    once (`nbgrader generate_assignment`) and copied (pglab.course.scratch_course), in every
    pytest-xdist worker."""
    cache = run_directory(tmp_path_factory) / "scratch-courses"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PGLAB_SCRATCH_CACHE", str(cache))
        yield cache


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory) -> GradedClass:
    """The reinforce corpora, graded through nbgrader (once per test run)."""
    return shared_graded_class(tmp_path_factory, ASSIGNMENT)


@pytest.fixture(scope="session")
def graded_rewards_to_go(tmp_path_factory) -> GradedClass:
    """The rewards_to_go corpora, graded through nbgrader (once per test run)."""
    return shared_graded_class(tmp_path_factory, "rewards_to_go")


@pytest.fixture(scope="session")
def graded_actor_critic(tmp_path_factory) -> GradedClass:
    """The actor_critic corpora, graded through nbgrader (once per test run)."""
    return shared_graded_class(tmp_path_factory, "actor_critic")


#: What a stubbed verdict figure is (``without_verdict_figures``): PNG's signature only.
PLACEHOLDER_FIGURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def without_verdict_figures(monkeypatch) -> bytes:
    """The Monte Carlo verdicts' figures (``pglab.checks.figures``) replaced by a placeholder,
    for the in-process misconception tests, whose subject is which cells each mutant
    fails: drawing their 171 figures took 12 of their 46 CPU-seconds. Every figure is still
    drawn for the same mutants by the corpus classes graded through nbgrader
    (``graded_class`` and the others), for the reference inputs by tests/test_probes*.py,
    and checked in a feedback page by tests/test_grading_pipeline.py."""
    from pglab.checks import figures

    for name in ("running_mean", "batch_means", "component_means"):
        monkeypatch.setattr(figures, name, lambda *args, **kwargs: PLACEHOLDER_FIGURE)
    return PLACEHOLDER_FIGURE


@pytest.fixture(scope="session")
def rewards_to_go_kernel() -> ProbeKernel:
    """The rewards_to_go probes run in this process against the reference (or overrides)."""
    return REWARDS_TO_GO_KERNEL
