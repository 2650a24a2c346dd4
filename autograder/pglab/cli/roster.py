"""``pglab roster CSV``: put the class's ids, names and emails into the gradebook.

Reads a Canvas gradebook export, a Moodle grading worksheet or nbgrader's student CSV
(``pglab.roster``). Students on the roster appear in ``pglab export`` even if they never
submitted; the ids must be the ones ``pglab grade`` finds in submission file names (Canvas
user id, Moodle participant number) or submitted/ folder names.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pglab.pipeline.discover import student_id_of
from pglab.roster import (
    RosterError,
    add_students,
    parse_canvas_details,
    parse_roster,
    save_canvas_details,
)

HELP = "Add the students of a Canvas or Moodle roster CSV (ids, names, emails) to the gradebook."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "csv",
        help="Canvas gradebook export, Moodle grading worksheet, or "
        "a CSV with id,first_name,last_name,email",
    )
    parser.add_argument("--course", default=".", help="course directory (default: .)")


def writes_course(args: argparse.Namespace) -> bool:
    """The roster is written into the gradebook (pglab.course_lock)."""
    return True


def run(args: argparse.Namespace) -> int:
    course = Path(args.course).resolve()
    try:
        text = Path(args.csv).read_text(encoding="utf-8-sig")
        rows = parse_roster(text)
    except (OSError, UnicodeDecodeError, RosterError) as error:
        print(f"pglab roster: cannot read {args.csv}: {error}")
        return 2
    if not rows:
        print(f"pglab roster: no students found in {args.csv}")
        return 2
    unreadable = [(r.id, read) for r in rows if (read := student_id_of(r.id)) != r.id]
    if unreadable:
        shown = ", ".join(f"{id_!r} (pglab grade: {read!r})" for id_, read in unreadable[:5])
        print(
            f"pglab roster: {len(unreadable)} id(s) are not what pglab grade reads from a "
            f"folder or file of that name, so their grades would land elsewhere: {shown}"
            f"{' ...' if len(unreadable) > 5 else ''}; they are added as written"
        )
    written = add_students(course, rows)
    canvas = parse_canvas_details(text)
    if canvas is not None:  # for the Canvas file of pglab export
        save_canvas_details(course, canvas)
    print(
        f"pglab roster: {len(written)} students in the gradebook ({', '.join(written[:5])}"
        f"{' ...' if len(written) > 5 else ''})"
    )
    return 0
