"""``pglab roster CSV``: put the class's ids, names and emails into the gradebook.

Reads a Canvas gradebook export, a Moodle grading worksheet or nbgrader's student CSV
(``pglab.roster``). Students on the roster appear in ``pglab export`` even if they never
submitted; the ids must be the ones ``pglab grade`` finds in submission file names (Canvas
user id, Moodle participant number) or submitted/ folder names.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nbgrader.api import Gradebook

from pglab.pipeline.discover import student_id_of
from pglab.pipeline.run import db_url, load_config
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
    url = db_url(course, load_config(course))
    before = students_in(url)
    written = list(dict.fromkeys(add_students(course, rows, url)))  # an id twice: once
    canvas = parse_canvas_details(text)
    if canvas is not None:  # for the Canvas file of pglab export
        save_canvas_details(course, canvas)
    after = students_in(url)
    added = [s for s in written if s not in before]
    updated = [s for s in written if s in before and before[s] != after[s]]
    unchanged = len(written) - len(added) - len(updated)
    print(
        f"pglab roster: {len(after)} students in the gradebook; from this roster "
        f"{_some(added, 'added')}, {_some(updated, 'updated')}, {unchanged} unchanged"
    )
    elsewhere = sorted(set(after) - set(written))
    if elsewhere:
        print(
            f"pglab roster: {len(elsewhere)} in the gradebook but not on this roster, kept as "
            f"they are: {_some(elsewhere)} (a student who left: docs/instructor.md)"
        )
    return 0


def students_in(url: str) -> dict[str, tuple[str | None, str | None, str | None]]:
    """The gradebook's students: id -> (first name, last name, email)."""
    with Gradebook(url) as gradebook:
        return {s.id: (s.first_name, s.last_name, s.email) for s in gradebook.students}


def _some(students: list[str], done: str = "") -> str:
    """Students as a count and names, "2 added (ada, zoe)" or "0 updated" (the first ten
    names, then how many more); without ``done``, the names alone."""
    names = ", ".join(students[:10]) + (f" and {len(students) - 10} more" * (len(students) > 10))
    if not done:
        return names
    return f"{len(students)} {done}" + (f" ({names})" if students else "")
