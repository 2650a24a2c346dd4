"""Working with an nbgrader course directory: scratch copies, submissions, nbgrader runs, scores.

The demo, the benchmarks and the pipeline tests all grade through these helpers, which call
the real ``nbgrader`` command (so ``nbgrader_config.py`` and its preprocessors are used).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import nbformat


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited non-zero; the message carries its output."""


def nbgrader_env() -> dict[str, str]:
    """nbgrader runs ``alembic`` from PATH when it creates a gradebook: put ours first."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


@contextmanager
def writing_atomically(path: Path, newline: str | None = None) -> Iterator[TextIO]:
    """A text file whose contents replace ``path`` (its folder made if need be) only once the
    block ends without an exception: a crash or a Ctrl-C leaves the old file or the new one,
    never half of one (grades, exports, reports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with temporary.open("w", encoding="utf-8", newline=newline) as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename == str(temporary):
            error.filename, error.filename2 = str(path), None  # the file the user named
        raise


def write_json_atomically(path: Path, data) -> None:
    """Write ``data`` as JSON to ``path``, as :func:`writing_atomically` does."""
    with writing_atomically(path) as handle:
        handle.write(json.dumps(data, indent=1, sort_keys=True))


def nbgrader_command(*args: str) -> list[str]:
    """The nbgrader of this environment, whatever PATH says."""
    return [sys.executable, "-m", "nbgrader", *args]


def run_nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course``; with ``check``, a non-zero exit raises
    :class:`NbgraderFailed` carrying nbgrader's output."""
    result = subprocess.run(
        nbgrader_command(*args),
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise NbgraderFailed(f"`nbgrader {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")
    return result


def scratch_course(repository: Path, destination: Path, assignments: list[str]) -> Path:
    """A fresh course directory with this repository's config and sources, assignments generated.

    With ``PGLAB_SCRATCH_CACHE`` set to a folder (the test suite sets it, one per run), a
    course made from the same bytes (config, ``source/``, assignments) is generated once,
    under a lock, and copied from there afterwards."""
    cache = os.environ.get("PGLAB_SCRATCH_CACHE")
    if cache:
        return _cached_scratch_course(repository, destination, assignments, Path(cache))
    return _generate_scratch_course(repository, destination, assignments)


def _generate_scratch_course(repository: Path, destination: Path, assignments: list[str]) -> Path:
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    shutil.copy(repository / "nbgrader_config.py", destination)
    shutil.copytree(repository / "source", destination / "source")
    for name in assignments:
        run_nbgrader(destination, "generate_assignment", name, "--force")
    return destination


def _cached_scratch_course(
    repository: Path, destination: Path, assignments: list[str], cache: Path
) -> Path:
    import fcntl
    import hashlib

    digest = hashlib.sha256(repr(sorted(assignments)).encode())
    for path in [repository / "nbgrader_config.py", *sorted((repository / "source").rglob("*"))]:
        if path.is_file():
            digest.update(str(path.relative_to(repository)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    template = cache / digest.hexdigest()[:20]
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / f"{template.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / ".complete").exists():
            shutil.rmtree(template, ignore_errors=True)
            _generate_scratch_course(repository, template, assignments)
            (template / ".complete").touch()
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(template, destination, ignore=shutil.ignore_patterns(".complete"))
    return destination


def add_submission(
    course: Path, assignment: str, student: str, notebook: nbformat.NotebookNode
) -> Path:
    path = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@dataclass(frozen=True)
class CellScore:
    score: float
    max_score: float
    needs_manual_grade: bool


def scores(course: Path, assignment: str) -> dict[str, dict[str, CellScore]]:
    """student -> grade_id -> score, read from the course's gradebook."""
    from nbgrader.api import Gradebook

    found: dict[str, dict[str, CellScore]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            cells = found.setdefault(submission.student_id, {})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    cells[grade.name] = CellScore(
                        float(grade.score), float(grade.max_score), bool(grade.needs_manual_grade)
                    )
    return found
