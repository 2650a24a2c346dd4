"""Feedback for the students a run graded, by nbgrader's ``generate_feedback``, in parallel.

``nbgrader generate_feedback ASSIGNMENT`` renders every student's feedback, one after the
other: about 0.9 s a student, so a rerun that graded one new submission in a class of 500
would spend minutes re-rendering unchanged pages. Here each of ``jobs`` nbgrader processes
renders one share of the students that need it (graded in this run, or whose feedback page
is missing or older than their autograded notebook: graded by a ``--no-feedback`` run or one
interrupted before its feedback), chosen with nbgrader's own
``--CourseDirectory.student_id_exclude``. They only read the gradebook (SQLite allows
concurrent readers) and each writes its own students' ``feedback/`` folders, so the files
are the ones one serial run would write.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pglab.course import NbgraderFailed, run_nbgrader


def has_feedback(course: Path, assignment: str, student: str) -> bool:
    """Whether ``student`` has a feedback page for each of their autograded notebooks, made
    after it (a page older than the notebook shows an earlier grading)."""
    autograded = sorted((course / "autograded" / student / assignment).glob("*.ipynb"))
    if not autograded:
        return any((course / "feedback" / student / assignment).glob("*.html"))
    for notebook in autograded:
        page = course / "feedback" / student / assignment / f"{notebook.stem}.html"
        if not page.is_file() or page.stat().st_mtime_ns < notebook.stat().st_mtime_ns:
            return False
    return True


def needing_feedback(
    course: Path, assignment: str, graded: Iterable[str], unchanged: Iterable[str]
) -> list[str]:
    """Students graded in this run, and unchanged ones whose feedback is missing or older
    than their autograded notebook (:func:`has_feedback`)."""
    stale = [s for s in unchanged if not has_feedback(course, assignment, s)]
    return sorted({*graded, *stale})


def generate_feedback(course: Path, assignment: str, students: list[str], jobs: int) -> None:
    """Render ``students``' feedback with up to ``jobs`` nbgrader processes (never more than
    this machine's cores: on a cluster run ``jobs`` counts the workers); raises
    :class:`NbgraderFailed` with nbgrader's output if one of them fails."""
    if not students:
        return
    autograded = course / "autograded"
    everyone = sorted(p.name for p in autograded.iterdir() if (p / assignment).is_dir())
    jobs = max(1, min(jobs, os.cpu_count() or 1, len(students)))
    shares = [students[i::jobs] for i in range(jobs)]

    def render(share: list[str]) -> None:
        wanted = set(share)
        others = ",".join(s for s in everyone if s not in wanted)
        arguments = ["generate_feedback", assignment, "--force"]
        if others:
            arguments.append(f"--CourseDirectory.student_id_exclude={others}")
        run_nbgrader(course, *arguments)

    with ThreadPoolExecutor(len(shares)) as pool:
        failures = []
        for future in [pool.submit(render, share) for share in shares]:
            try:
                future.result()
            except NbgraderFailed as error:
                failures.append(str(error))
    if failures:
        raise NbgraderFailed("\n".join(failures))
