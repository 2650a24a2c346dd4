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

A page also shows what TAs give in formgrader after grading (points for written answers,
adjusted scores, extra credit, comments) and the late penalty. For each page made,
``.pglab/feedback/<assignment>.json`` keeps a digest of those gradebook entries
(:func:`shown_grades`); a student whose entries no longer match gets a new page, so
``pglab grade`` after TA grading returns the TAs' points and comments to students.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pglab.course import NbgraderFailed, run_nbgrader, write_json_atomically


def shown_grades(course: Path, assignment: str, students: Iterable[str]) -> dict[str, str]:
    """student -> a digest of the gradebook entries their feedback page shows: every cell's
    autograded, manual and extra-credit points, every comment, and the late penalty ("" for
    a student with no submission in the gradebook)."""
    from pglab.pipeline.run import submissions_in_gradebook

    digests = {}
    for student, submission in submissions_in_gradebook(course, assignment, students):
        if submission is None:
            digests[student] = ""
            continue
        shown: list = [submission.late_submission_penalty]
        for notebook in sorted(submission.notebooks, key=lambda n: n.name):
            shown += sorted(
                (g.name, g.auto_score, g.manual_score, g.extra_credit) for g in notebook.grades
            )
            shown += sorted(
                (c.name, c.auto_comment or "", c.manual_comment or "") for c in notebook.comments
            )
        text = json.dumps(shown, default=str)
        digests[student] = hashlib.sha256(text.encode()).hexdigest()
    return digests


def _made_path(course: Path, assignment: str) -> Path:
    return course / ".pglab" / "feedback" / f"{assignment}.json"


def made_from(course: Path, assignment: str) -> dict[str, str]:
    """student -> the :func:`shown_grades` digest their current feedback page was made from."""
    try:
        return json.loads(_made_path(course, assignment).read_text())
    except (OSError, ValueError):
        return {}


def _record_made(
    course: Path, assignment: str, digests: dict[str, str], forget: Iterable[str] = ()
) -> None:
    forget = set(forget)
    made = {s: d for s, d in made_from(course, assignment).items() if s not in forget}
    write_json_atomically(_made_path(course, assignment), {**made, **digests})


def has_feedback(course: Path, assignment: str, student: str) -> bool:
    """Whether ``student`` has a feedback page for each of their autograded notebooks, made
    after it (a page older than the notebook shows an earlier grading). Whether the page
    still shows the gradebook's TA points and comments is :func:`needing_feedback`'s check."""
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
    """Students graded in this run, and unchanged ones whose feedback is missing, older than
    their autograded notebook (:func:`has_feedback`), or made from other gradebook entries
    than it holds now (TA points or comments given since, a late penalty changed). An
    unchanged student with no submission in the gradebook (removed from it: a student who
    leaves) has no page to make: nbgrader's feedback would fail on them."""
    unchanged = list(unchanged)
    shown, made = shown_grades(course, assignment, unchanged), made_from(course, assignment)
    stale = [
        s
        for s in unchanged
        if shown[s] and (not has_feedback(course, assignment, s) or made.get(s) != shown[s])
    ]
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

    shown = shown_grades(course, assignment, students)  # what the pages are made from
    # nbgrader writes a page in place: one cut short by a Ctrl-C or a crash is newer than its
    # notebook, so until nbgrader has finished it only a missing digest marks it stale.
    _record_made(course, assignment, {}, forget=students)

    def render(share: list[str]) -> None:
        wanted = set(share)
        others = ",".join(s for s in everyone if s not in wanted)
        arguments = ["generate_feedback", assignment, "--force"]
        if others:
            arguments.append(f"--CourseDirectory.student_id_exclude={others}")
        run_nbgrader(course, *arguments)

    with ThreadPoolExecutor(len(shares)) as pool:
        failures, made = [], {}
        for share, future in [(share, pool.submit(render, share)) for share in shares]:
            try:
                future.result()
            except NbgraderFailed as error:
                failures.append(str(error))
            else:
                made.update({s: shown[s] for s in share})
    _record_made(course, assignment, made)
    if failures:
        raise NbgraderFailed("\n".join(failures))
