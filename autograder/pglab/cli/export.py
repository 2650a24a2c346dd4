"""``pglab export ASSIGNMENT``: final grades, after TA grading, for the LMS.

The last step of an assignment. Reads the gradebook (autograded scores, the scores TAs gave
in formgrader, late penalties) and writes, for every student on the roster and every student
whose file could not be graded:

- ``exports/<assignment>-grades.csv``: nbgrader's export columns, and a ``status`` column;
- ``exports/<assignment>-canvas.csv``: Canvas's gradebook import format.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nbgrader.api import MissingEntry

from pglab.pipeline.exports import GRADED, NOT_SUBMITTED, export_assignment

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
    try:
        grades = export_assignment(course, args.assignment, folder)
    except MissingEntry as error:
        print(f"pglab export: {error}")
        return 2
    counts: dict[str, int] = {}
    for row in grades.rows:
        key = row.status.split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    print(
        f"pglab export: {len(grades.rows)} students: "
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    )
    for row in grades.rows:
        if row.status not in (GRADED, NOT_SUBMITTED):
            print(f"  {row.student_id}: {row.status}")
    print(f"grades: {folder / (args.assignment + '-grades.csv')}")
    print(f"canvas: {folder / (args.assignment + '-canvas.csv')}")
    return 0
