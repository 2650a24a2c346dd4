"""The hub's roster: students' ids and names from a CSV file (PGLAB_ROSTER in hub.conf).

One row a student, with a header row. Columns (the names Canvas and Moodle exports use are
accepted too): ``id`` (the Linux user name, which is also the nbgrader student id; also
``username``, ``login``, ``SIS Login ID``), ``first_name`` (``First name``), ``last_name``
(``Last name``, ``Surname``), ``email`` (``Email address``, optional). A Canvas ``Student``
column ("Last, First") stands for both names when there are no name columns.

    roster.py ids ROSTER            the students' ids, one a line (hub.sh: the accounts)
    roster.py name ROSTER ID        "First Last" of one student (the account's full name)
    roster.py gradebook COURSE ID…  run as the grader: every student of the roster (read from
                                    stdin) and every ID into the course's gradebook, with
                                    names and email, as nbgrader's Student records

The first two need only Python's standard library (hub.sh runs them with /usr/bin/python3);
``gradebook`` runs in the course environment, which has nbgrader. JupyterHub's configuration
loads this file for the ids (every student on the roster may log in).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

COLUMNS = {
    "id": ("id", "username", "user name", "login", "sis login id", "student id"),
    "first_name": ("first_name", "first name", "given name"),
    "last_name": ("last_name", "last name", "surname", "family name"),
    "email": ("email", "email address", "e-mail"),
}
USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


class RosterError(ValueError):
    pass


def parse(text: str, where: str = "roster") -> list[dict[str, str]]:
    """The roster's rows as {id, first_name, last_name, email} (missing values are "")."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    found = {}
    for key, names in COLUMNS.items():
        found[key] = next((headers[n] for n in names if n in headers), None)
    if found["id"] is None:
        raise RosterError(
            f"{where}: no id column (the header must name one of: {', '.join(COLUMNS['id'])})"
        )
    canvas_student = headers.get("student")
    rows, seen = [], set()
    for number, line in enumerate(reader, start=2):
        student = (line.get(found["id"]) or "").strip()
        if not student:
            continue
        if not USER_NAME.fullmatch(student):
            raise RosterError(
                f"{where}, line {number}: {student!r} is not a Linux user name "
                "(lower-case letters, digits, '_' and '-', at most 32)"
            )
        if student in seen:
            raise RosterError(f"{where}, line {number}: {student} is listed twice")
        seen.add(student)
        row = {
            key: (line.get(column) or "").strip() if column else "" for key, column in found.items()
        }
        row["id"] = student
        if not row["first_name"] and not row["last_name"] and canvas_student:
            last, _, first = (line.get(canvas_student) or "").partition(",")
            row["first_name"], row["last_name"] = first.strip(), last.strip()
        rows.append(row)
    return rows


def read(path: str | Path) -> list[dict[str, str]]:
    path = Path(path)
    return parse(path.read_text(encoding="utf-8"), str(path))


def to_gradebook(course: Path, rows: list[dict[str, str]], students: list[str]) -> str:
    """Every roster row and every other student id into ``course``'s gradebook; names and
    email are set where the roster has them and never blanked."""
    from nbgrader.api import Gradebook

    by_id = {row["id"]: row for row in rows}
    for student in students:
        by_id.setdefault(student, {"id": student})
    named = 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, row in by_id.items():
            fields = {k: row[k] for k in ("first_name", "last_name", "email") if row.get(k)}
            gradebook.update_or_create_student(student, **fields)
            named += bool(fields.get("first_name") or fields.get("last_name"))
    unnamed = sorted(
        s for s, row in by_id.items() if not (row.get("first_name") or row.get("last_name"))
    )
    report = f"gradebook: {len(by_id)} students, {named} with names from the roster"
    if unnamed:
        report += f"; no name for {' '.join(unnamed)}"
    return report


def main(argv: list[str]) -> int:
    try:
        if len(argv) == 2 and argv[0] == "ids":
            print("\n".join(row["id"] for row in read(argv[1])))
        elif len(argv) == 3 and argv[0] == "name":
            row = next((r for r in read(argv[1]) if r["id"] == argv[2]), None)
            print(" ".join(filter(None, (row["first_name"], row["last_name"]))) if row else "")
        elif len(argv) >= 2 and argv[0] == "gradebook":
            rows = parse(sys.stdin.read(), "roster")
            print(to_gradebook(Path(argv[1]), rows, argv[2:]))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except RosterError as error:
        print(f"hub: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
