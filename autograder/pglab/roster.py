"""The class roster: students' ids, names and emails, from an LMS export into the gradebook.

Read formats (recognised by their header row):

- **Canvas** gradebook export (Grades > Export > CSV): ``Student`` ("Last, First"), ``ID``
  (the Canvas user id, the number in Canvas submission file names), ``SIS User ID``,
  ``SIS Login ID``, ``Section``, then one column per assignment. The "Points Possible" row
  and other rows without an ``ID`` are skipped. Canvas writes no email in this export.
- **Moodle** assignment grading worksheet (Assignment > Submissions > Download grading
  worksheet): ``Identifier`` ("Participant 12345", the number in Moodle submission file
  names), ``Full name``, ``Email address``, ... The last word of the full name is taken as
  the last name.
- **nbgrader's** own student CSV (as ``nbgrader db student import`` reads it): ``id``,
  ``first_name``, ``last_name``, ``email``.

Students are written with nbgrader's ``Gradebook.update_or_create_student``: an existing
student keeps their grades and gets the names and email the new roster gives; a field it
leaves empty or has no column for (Canvas's email) keeps the gradebook's value.

What a Canvas export says that nbgrader's records have no field for is kept in
``.pglab/canvas.json`` (:func:`canvas_details`), for the Canvas file ``pglab export`` writes:
each student's SIS User ID, SIS Login ID and Section, and each assignment column's header,
``reinforce (123)``, by which Canvas's import recognises the assignment.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook


@dataclass(frozen=True)
class RosterRow:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass
class CanvasDetails:
    """From a Canvas gradebook export: student id -> (SIS User ID, SIS Login ID, Section), and
    assignment name -> its column's header (``reinforce (123)``)."""

    students: dict[str, list[str]]
    columns: dict[str, str]


CANVAS_DETAILS = Path(".pglab") / "canvas.json"
_ASSIGNMENT_COLUMN = re.compile(r"^(.+?) \((\d+)\)$")


class RosterError(ValueError):
    """The file is not a roster this module can read; the message says why."""


def _column(header: list[str], *names: str) -> int | None:
    wanted = [n.lower() for n in names]
    for index, title in enumerate(header):
        if title.strip().lower() in wanted:
            return index
    return None


def parse_roster(text: str) -> list[RosterRow]:
    """The students in a Canvas, Moodle or nbgrader roster CSV (see the module's help)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise RosterError("the file is empty")
    header, body = rows[0], rows[1:]
    cell = lambda row, i: row[i].strip() if i is not None and i < len(row) else ""  # noqa: E731
    canvas_id, student = _column(header, "ID"), _column(header, "Student")
    moodle_id, full_name = _column(header, "Identifier"), _column(header, "Full name")
    plain_id = _column(header, "id", "student_id")
    first, last = (
        _column(header, "first_name", "First name"),
        _column(header, "last_name", "Last name", "Surname"),
    )
    email = _column(header, "email", "Email address", "Email")
    found: list[RosterRow] = []
    for row in body:
        if canvas_id is not None and student is not None:
            identifier = cell(row, canvas_id)
            if not identifier.isdigit():  # "Points Possible", "Muted" and blank rows
                continue
            last_name, _, first_name = cell(row, student).partition(",")
            found.append(RosterRow(identifier, first_name.strip(), last_name.strip()))
        elif moodle_id is not None:
            match = re.search(r"(\d+)\s*$", cell(row, moodle_id))
            if not match:
                continue
            *given, family = cell(row, full_name).split() or [""]
            found.append(RosterRow(match.group(1), " ".join(given), family, cell(row, email)))
        elif plain_id is not None:
            identifier = cell(row, plain_id)
            if identifier:
                found.append(
                    RosterRow(identifier, cell(row, first), cell(row, last), cell(row, email))
                )
        else:
            raise RosterError(
                "no id column: expected a Canvas gradebook export (Student, ID, ...), a Moodle "
                "grading worksheet (Identifier, Full name, ...) or nbgrader's student CSV "
                f"(id, first_name, last_name, email); the header is {', '.join(header)}"
            )
    return found


def parse_canvas_details(text: str) -> CanvasDetails | None:
    """What a Canvas gradebook export says beyond ids and names (None for other formats)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or _column(rows[0], "ID") is None or _column(rows[0], "Student") is None:
        return None
    header = rows[0]
    where = [_column(header, name) for name in ("SIS User ID", "SIS Login ID", "Section")]
    canvas_id = _column(header, "ID")
    students = {}
    for row in rows[1:]:
        if canvas_id < len(row) and row[canvas_id].strip().isdigit():
            students[row[canvas_id].strip()] = [
                row[i].strip() if i is not None and i < len(row) else "" for i in where
            ]
    columns = {}
    for title in header:
        match = _ASSIGNMENT_COLUMN.match(title.strip())
        if match:
            columns[match.group(1)] = title.strip()
    return CanvasDetails(students, columns)


def canvas_details(course: Path) -> CanvasDetails:
    """The Canvas details the course's rosters gave (empty if none came from Canvas)."""
    import json

    try:
        saved = json.loads((Path(course) / CANVAS_DETAILS).read_text())
        return CanvasDetails(dict(saved["students"]), dict(saved["columns"]))
    except (OSError, ValueError, KeyError, TypeError):
        return CanvasDetails({}, {})


def save_canvas_details(course: Path, details: CanvasDetails) -> None:
    """Merge ``details`` into what earlier rosters gave (a later roster wins)."""
    from pglab.course import write_json_atomically

    kept = canvas_details(course)
    kept.students.update(details.students)
    kept.columns.update(details.columns)
    write_json_atomically(
        Path(course) / CANVAS_DETAILS, {"students": kept.students, "columns": kept.columns}
    )


def read_roster(path: Path) -> list[RosterRow]:
    return parse_roster(Path(path).read_text(encoding="utf-8-sig"))


def add_students(
    course: Path, rows: Iterable[RosterRow | Mapping[str, str]], url: str | None = None
) -> list[str]:
    """Create or update every student of ``rows`` in the course's gradebook (nbgrader's
    Student records); returns the ids written. Grades already saved are kept, and so is an
    existing student's name or email that the row leaves empty. A row is a
    :class:`RosterRow` or a mapping with ``id`` and optionally ``first_name``, ``last_name``
    and ``email``."""
    if url is None:
        from pglab.pipeline.run import db_url, load_config

        url = db_url(Path(course), load_config(Path(course)))
    written = []
    with Gradebook(url) as gradebook:
        for row in rows:
            if isinstance(row, Mapping):
                row = RosterRow(**{k: str(v or "") for k, v in row.items()})
            details = {  # empty: not given by this roster, so the gradebook's value stays
                key: value
                for key, value in (
                    ("first_name", row.first_name),
                    ("last_name", row.last_name),
                    ("email", row.email),
                )
                if value
            }
            gradebook.update_or_create_student(row.id, **details)
            written.append(row.id)
    return written
