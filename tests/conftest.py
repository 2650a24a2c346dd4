"""Shared fixtures: the repository, and a class of corpus submissions graded by real nbgrader."""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from support import ASSIGNMENT, REPOSITORY, corpus_files, student_id

from pglab.course import add_submission, run_nbgrader, scores, scratch_course
from pglab.submissions import build_submission

SHARDS = max(1, min(2, os.cpu_count() or 1))


class GradedClass:
    """Scores and autograded notebooks of every corpus submission, graded once per session."""

    def __init__(self, courses: list[Path]):
        self.courses = courses
        self.scores = {}
        for course in courses:
            self.scores.update(scores(course, ASSIGNMENT))

    def course_of(self, student: str) -> Path:
        return next(c for c in self.courses if (c / "submitted" / student).exists())

    def notebook(self, student: str) -> nbformat.NotebookNode:
        path = self.course_of(student) / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
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


def _submissions() -> dict[str, str]:
    """student id -> corpus text: every mutant and correct variant, plus two fixed cases."""
    texts = {student_id(p): p.read_text() for k in ("mutants", "correct") for p in corpus_files(k)}
    texts["fixed-solution"] = '"""The instructor\'s solution."""\n'
    texts["fixed-solution-again"] = texts["fixed-solution"]
    return texts


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory) -> GradedClass:
    """All corpus submissions, autograded by plain `nbgrader autograde` in SHARDS courses."""
    base = tmp_path_factory.mktemp("graded-class")
    template = scratch_course(REPOSITORY, base / "template", [ASSIGNMENT])
    source = nbformat.read(template / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    release_path = REPOSITORY / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    release = nbformat.read(release_path, as_version=4)
    courses = []
    for shard in range(SHARDS):
        course = base / f"shard{shard}"
        shutil.copytree(template, course)
        courses.append(course)
    for index, (student, text) in enumerate(sorted(_submissions().items())):
        add_submission(
            courses[index % SHARDS], ASSIGNMENT, student, build_submission(release, source, text)
        )
    add_submission(courses[0], ASSIGNMENT, "fixed-release", release)

    def autograde(course: Path) -> subprocess.CompletedProcess:
        return run_nbgrader(course, "autograde", ASSIGNMENT, "--force", check=False)

    with ThreadPoolExecutor(SHARDS) as pool:
        results = list(pool.map(autograde, courses))
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    return GradedClass(courses)
