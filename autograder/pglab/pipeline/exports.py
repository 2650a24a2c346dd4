"""Grades out of the course: nbgrader's CSV (via ``nbgrader export``) and a Canvas import CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from pglab.course import run_nbgrader
from pglab.pipeline.run import Run

#: Canvas's grade import needs these columns first; the assignment column follows.
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def nbgrader_csv(course: Path, destination: Path) -> Path:
    """nbgrader's own export (its columns), for every student in the gradebook.

    nbgrader lists students in the order they entered the gradebook, which for a parallel run
    is the order notebooks happened to finish; rows are sorted by assignment and student so
    that the same grades always give the same file.
    """
    run_nbgrader(course, "export", "--to", str(destination))
    with destination.open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    key = (header.index("assignment"), header.index("student_id"))
    rows.sort(key=lambda row: (row[key[0]], row[key[1]]))
    with destination.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")  # as nbgrader writes it
        writer.writerow(header)
        writer.writerows(rows)
    return destination


def canvas_csv(run: Run, destination: Path) -> Path:
    """Canvas gradebook import: one row per graded student, autograded points so far.

    Students mapped from a Canvas export keep their Canvas user id in ``ID``; written answers
    are added by TAs in formgrader and exported again after manual grading.
    """
    with destination.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CANVAS_COLUMNS, run.assignment])
        writer.writerow(["Points Possible", "", "", "", "", _points_possible(run)])
        for outcome in run.outcomes:
            if outcome.status == "failed":
                continue
            canvas_id = outcome.student if outcome.student.isdigit() else ""
            writer.writerow(
                [outcome.student, canvas_id, "", outcome.student, "", f"{outcome.score:g}"]
            )
    return destination


def _points_possible(run: Run) -> str:
    totals = [o.max_score for o in run.outcomes if o.status != "failed"]
    return f"{max(totals):g}" if totals else ""
