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
                                    (pglab.roster.add_students, as `pglab roster` does)

The first two need only Python's standard library (hub.sh runs them with /usr/bin/python3);
``gradebook`` runs in the course environment, which has pglab and nbgrader. Ids here are
Linux user names (an LMS's numeric ids are not); `pglab roster` reads the LMS's own exports
for the gradebook alone. JupyterHub's configuration loads this file for the ids (every
student on the roster may log in).
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
    """Every roster row into ``course``'s gradebook with ``pglab.roster.add_students`` (names
    and email: nbgrader's Student records), and every other student id that is not there yet
    (without a name; one already there keeps the name it has)."""
    from nbgrader.api import Gradebook, MissingEntry

    from pglab.roster import add_students

    listed = {row["id"] for row in rows}
    missing = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            if student in listed:
                continue
            try:
                gradebook.find_student(student)
            except MissingEntry:
                missing.append(student)
    add_students(course, [*rows, *({"id": s} for s in missing)])
    named = sum(bool(row["first_name"] or row["last_name"]) for row in rows)
    report = f"gradebook: {len(rows) + len(missing)} students written, {named} with names"
    unnamed = sorted(row["id"] for row in rows if not (row["first_name"] or row["last_name"]))
    if unnamed or missing:
        report += f"; no name for {' '.join(sorted(unnamed + missing))}"
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
