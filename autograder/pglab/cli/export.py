"""``pglab export ASSIGNMENT``: final grades, after TA grading, for the LMS.

The last step of an assignment. Reads the gradebook (autograded scores, the scores TAs gave
in formgrader, late penalties) and writes, for every student on the roster and every student
whose file could not be graded:

- ``exports/<assignment>-grades.csv``: nbgrader's export columns, and a ``status`` column;
- ``exports/<assignment>-canvas.csv``: Canvas's gradebook import format;
- ``exports/grades.csv``: nbgrader's own export of every assignment, as ``pglab grade`` writes
  it, so that no file in the folder is older than the gradebook.

It names the students whose feedback page no longer shows the gradebook (TA points or
comments given, a late penalty changed since the page was made): ``pglab grade`` remakes them;
and, in a line each, autograded folders left from students removed from the gradebook and
grades whose submitted/ folder is gone (renamed or moved: ``pglab.pipeline.students``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nbgrader.api import MissingEntry

from pglab.pipeline.exports import (
    GRADED,
    NOT_SUBMITTED,
    LatePolicyError,
    export_assignment,
    nbgrader_csv,
    penalty_changes,
)
from pglab.pipeline.feedback import needing_feedback
from pglab.pipeline.students import class_folders

HELP = "Write final grades (autograded + TA + late penalties) as nbgrader and Canvas CSVs."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="assignment name, e.g. reinforce")
    parser.add_argument("--course", default=".", help="course directory (default: .)")
    parser.add_argument(
        "--to", metavar="FOLDER", default=None, help="where to write (default: exports/)"
    )


def writes_course(args: argparse.Namespace) -> bool:
    """Exporting saves the late penalties in the gradebook first (pglab.course_lock)."""
    return True


def run(args: argparse.Namespace) -> int:
    course = Path(args.course).resolve()
    folder = Path(args.to).resolve() if args.to else course / "exports"
    if folder.exists() and not folder.is_dir():
        print(f"pglab export: {folder} is a file: --to takes a folder")
        return 2
    try:
        folder.mkdir(parents=True, exist_ok=True)  # before any work: a bad --to says so first
        grades = export_assignment(course, args.assignment, folder)
        nbgrader_csv(course, folder / "grades.csv")
    except (MissingEntry, LatePolicyError) as error:
        print(f"pglab export: {error}")
        return 2
    except OSError as error:
        from pglab.cli.main import path_problem

        print(f"pglab export: cannot write {error.filename or folder}: {path_problem(error)}")
        return 2
    if changed := penalty_changes(grades.penalties_changed):
        print(f"pglab export: {changed}")
    counts: dict[str, int] = {}
    for row in grades.rows:
        key = row.status.split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    if grades.rows:
        print(
            f"pglab export: {len(grades.rows)} students: "
            + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        )
    else:
        print(
            "pglab export: no students: the gradebook has no roster (pglab roster CSV) and "
            f"no graded {args.assignment} (pglab grade {args.assignment}); the files hold "
            "the header alone"
        )
    for row in grades.rows:
        if row.status not in (GRADED, NOT_SUBMITTED):
            print(f"  {row.student_id}: {row.status}")
    print(f"grades: {folder / (args.assignment + '-grades.csv')}")
    print(f"canvas: {folder / (args.assignment + '-canvas.csv')}")
    print(f"every assignment, nbgrader's columns: {folder / 'grades.csv'}")
    folders = class_folders(course, args.assignment)  # pages only of the gradebook's students
    for line in folders.warnings("export", args.assignment):
        print(line)
    stale = needing_feedback(course, args.assignment, [], folders.autograded)
    if stale:
        print(
            f"feedback: {len(stale)} page{'s' if len(stale) > 1 else ''} missing or older than "
            f"the gradebook ({', '.join(stale[:10])}{' ...' if len(stale) > 10 else ''}): "
            f"pglab grade {args.assignment} makes them again, grading nobody unchanged"
        )
    return 0
