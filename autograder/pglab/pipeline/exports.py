"""Grades out of the course, read from the gradebook: nbgrader's CSV and a Canvas import CSV.

The gradebook is the one place that holds everything a final grade is made of: the
autograded scores ``pglab grade`` (or ``nbgrader autograde``) saved, the scores TAs give
written answers in formgrader, and the late penalty nbgrader's ``AssignLatePenalties``
computes with the course's configuration (computed again here from the current score, TA
points included: nbgrader computes it only at autograde). :func:`final_grades` reads them
with nbgrader's Gradebook API, with nbgrader's arithmetic
(``score = max(0, raw_score - penalty)``), for every student on the roster (the gradebook's
students, ``pglab roster``) and every student whose file ``pglab grade`` could not grade
(kept under ``.pglab/``), each marked with a status.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from pglab.course import writing_atomically
from pglab.roster import CanvasDetails, canvas_details

#: Canvas's grade import needs these columns first; the assignment column follows.
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]

#: nbgrader's ``nbgrader export`` columns (CsvExportPlugin), then pglab's status.
NBGRADER_COLUMNS = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
]

GRADED = "graded"
NEEDS_MANUAL = "needs manual grading"
NOT_SUBMITTED = "not submitted"
NOT_GRADED = "could not be graded"


class LatePolicyError(ValueError):
    """The course's late-penalty plugin cannot be loaded; the message says which setting."""


@dataclass
class FinalGrade:
    """One student's grade for one assignment, as the gradebook holds it now."""

    student_id: str
    first_name: str
    last_name: str
    email: str
    timestamp: str
    #: autograded + manual + extra credit (nbgrader's ``SubmittedAssignment.score``)
    raw_score: float
    late_submission_penalty: float
    score: float
    #: graded, needs manual grading, not submitted, or "could not be graded: why"
    status: str

    @property
    def complete(self) -> bool:
        return self.status in (GRADED, NOT_SUBMITTED)


@dataclass
class FinalGrades:
    assignment: str
    duedate: str
    max_score: float
    rows: list[FinalGrade]
    #: (student, penalty before, penalty now) for each late penalty computed again here that
    #: changed (``pglab.pipeline.run.apply_late_penalties``)
    penalties_changed: list[tuple[str, float, float]] = field(default_factory=list)


def _failed_students(course: Path, assignment: str) -> dict[str, str]:
    """student -> why ``pglab grade`` could not grade their latest file."""
    from pglab.pipeline.run import stored_outcomes

    return {  # NOT_GRADED is said once, by the caller
        state.student: (state.error or "unknown error").removeprefix(f"{NOT_GRADED}: ")
        for state in stored_outcomes(course, assignment)
        if state.status == "failed"
    }


def penalty_changes(changed: list[tuple[str, float, float]]) -> str:
    """The students whose saved late penalty changed, "bob 0 -> 7", at most ten, then a count;
    "" if none. Not graded in this run, their penalty changed because the due date, their
    extension, the late policy or their points (TA grading) did."""
    if not changed:
        return ""
    shown = [f"{s} {before:g} -> {now:g}" for s, before, now in changed[:10]]
    more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
    return (
        f"late penalty changed for {len(changed)} submission(s) not graded now (the due date, "
        f"an extension, the late policy or their points changed): {', '.join(shown)}{more}"
    )


def final_grades(course: Path, assignment: str, url: str | None = None) -> FinalGrades:
    """Every student's final grade for ``assignment``, from the gradebook at ``url``."""
    from pglab.pipeline.run import apply_late_penalties, check_late_policy, db_url, load_config

    config = load_config(course)
    check_late_policy(config)
    if url is None:
        url = db_url(course, config)
    failed = _failed_students(course, assignment)
    with Gradebook(url) as gradebook:
        try:
            everyone = [s.student_id for s in gradebook.assignment_submissions(assignment)]
        except MissingEntry:
            everyone = []
    changed = []
    if everyone:  # the penalty of the final score: TA points included (apply_late_penalties)
        changed = apply_late_penalties(url, assignment, everyone, config)
    rows = []
    with Gradebook(url) as gradebook:
        try:
            record = gradebook.find_assignment(assignment)
        except MissingEntry:
            if not (course / "source" / assignment).is_dir():
                known = sorted(
                    {a.name for a in gradebook.assignments}
                    | {p.name for p in (course / "source").glob("*") if p.is_dir()}
                )
                raise MissingEntry(
                    f"there is no assignment {assignment}: check the name"
                    + (f" (this course has {', '.join(known)})" if known else "")
                ) from None
            raise MissingEntry(
                f"{assignment} is not in the gradebook yet: run `pglab grade {assignment}` first"
            ) from None
        duedate = str(record.duedate) if record.duedate else ""
        max_score = float(record.max_score)
        students = {s.id: s for s in gradebook.students}
        for student_id in sorted(set(students) | set(failed)):
            student = students.get(student_id)
            names = (
                (student.first_name or "", student.last_name or "", student.email or "")
                if student
                else ("", "", "")
            )
            try:
                submission = gradebook.find_submission(assignment, student_id)
            except MissingEntry:
                submission = None
            if submission is None:
                timestamp, raw, penalty = "", 0.0, 0.0
                status = NOT_SUBMITTED
            else:
                timestamp = str(submission.timestamp) if submission.timestamp else ""
                raw = float(submission.score)
                penalty = float(submission.late_submission_penalty or 0.0)
                status = NEEDS_MANUAL if submission.needs_manual_grade else GRADED
            if student_id in failed:
                status = f"{NOT_GRADED}: {failed[student_id]}"
            rows.append(
                FinalGrade(
                    student_id,
                    *names,
                    timestamp,
                    raw,
                    penalty,
                    max(0.0, raw - penalty),
                    status,
                )
            )
    return FinalGrades(assignment, duedate, max_score, rows, changed)


def kept_ta_points(course: Path, assignment: str, students: list[str]) -> dict[str, list[str]]:
    """student -> the cells of theirs that carry points a TA gave (formgrader's manual score or
    extra credit) and wait for a TA again. nbgrader keeps those points when a notebook is
    graded again, and the cells are flagged for review: for students just graded again, the
    points may be for an earlier file (written answers in the very file the TA graded stay
    confirmed: ``SaveAutoGradesOnce``), or for other points than the cell's now. A cell is
    named as "answer_variance", "test_log_prob (extra credit)" or "answer_variance (now out
    of 4 points, graded before out of 2)"."""
    from pglab.pipeline.run import stored_outcome, submissions_in_gradebook

    kept = {}
    for student, submission in submissions_in_gradebook(course, assignment, students):
        stored = stored_outcome(course, assignment, student)
        changed = stored.points_changed if stored is not None else {}
        cells = []
        for g in sorted(
            (g for n in (submission.notebooks if submission else []) for g in n.grades),
            key=lambda g: g.name,
        ):
            if not g.needs_manual_grade:
                continue
            notes = []
            if g.manual_score is None and g.extra_credit:
                notes.append("extra credit")
            elif g.manual_score is None:
                continue
            if g.name in changed:
                before, now = changed[g.name]
                notes.append(f"now out of {now:g} points, graded before out of {before:g}")
            cells.append(g.name + (f" ({'; '.join(notes)})" if notes else ""))
        if cells:
            kept[student] = cells
    return kept


def _text(value: str) -> str:
    """A name or email as a CSV cell a spreadsheet shows as text: one starting with ``= + -
    @`` (or a tab or carriage return) would be read as a formula when the file is opened."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _number(value: float) -> str:
    return f"{value:g}"


def write_nbgrader_csv(grades: FinalGrades, destination: Path) -> Path:
    """nbgrader's export columns and arithmetic for one assignment, and a ``status`` column
    (``graded``, ``needs manual grading``, ``not submitted``, ``could not be graded: ...``)."""
    with writing_atomically(destination, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*NBGRADER_COLUMNS, "status"])
        for row in grades.rows:
            writer.writerow(
                [
                    grades.assignment,
                    grades.duedate,
                    row.timestamp,
                    row.student_id,
                    _text(row.last_name),
                    _text(row.first_name),
                    _text(row.email),
                    _number(row.raw_score),
                    _number(row.late_submission_penalty),
                    _number(row.score),
                    _number(grades.max_score),
                    row.status,
                ]
            )
    return destination


def write_canvas_csv(
    grades: FinalGrades, destination: Path, canvas: CanvasDetails | None = None
) -> Path:
    """Canvas gradebook import: one row per student, the final score (late penalty applied,
    written answers as TAs graded them). ``ID`` is the Canvas user id where the student id is
    one (ids taken from Canvas file names or a Canvas roster are). A student whose file could
    not be graded gets an empty cell, which Canvas leaves as it is, rather than a zero.

    ``canvas`` (what the course's Canvas roster said, ``pglab.roster``) gives each student's
    SIS User ID, SIS Login ID and Section, and the assignment column's header with its Canvas
    id (``reinforce (123)``), by which Canvas's import recognises the assignment; without it,
    the column is the assignment's name, and a student id that is not a Canvas id is given as
    the SIS Login ID (a hub user name)."""
    canvas = canvas or CanvasDetails({}, {})
    with writing_atomically(destination, newline="") as handle:
        writer = csv.writer(handle)
        column = canvas.columns.get(grades.assignment, grades.assignment)
        writer.writerow([*CANVAS_COLUMNS, column])
        writer.writerow(["Points Possible", "", "", "", "", _number(grades.max_score)])
        for row in grades.rows:
            name = _text(f"{row.last_name}, {row.first_name}" if row.last_name else row.student_id)
            canvas_id = row.student_id if row.student_id.isdigit() else ""
            known = canvas.students.get(row.student_id)
            sis_user, sis_login, section = known or (
                "",
                "" if canvas_id else row.student_id,
                "",
            )
            score = "" if row.status.startswith(NOT_GRADED) else _number(row.score)
            writer.writerow(
                [name, canvas_id, _text(sis_user), _text(sis_login), _text(section), score]
            )
    return destination


def export_assignment(course: Path, assignment: str, folder: Path | None = None) -> FinalGrades:
    """Write ``exports/<assignment>-grades.csv`` and ``exports/<assignment>-canvas.csv``."""
    folder = folder or course / "exports"
    grades = final_grades(course, assignment)
    write_nbgrader_csv(grades, folder / f"{assignment}-grades.csv")
    write_canvas_csv(grades, folder / f"{assignment}-canvas.csv", canvas_details(course))
    return grades


def export_with_nbgraders_exporter(course: Path, destination: Path) -> None:
    """What `nbgrader export --to DESTINATION` does in ``course`` (the course's own
    ``c.ExportApp.plugin_class``, nbgrader's CSV exporter by default), in this process: an
    nbgrader command costs two seconds of start-up on every `pglab grade`."""
    from nbgrader.apps.exportapp import ExportApp
    from nbgrader.coursedir import CourseDirectory

    from pglab.pipeline.run import db_url, load_config

    config = load_config(course)
    plugin = ExportApp(config=config).plugin_class(config=config)
    plugin.to = str(destination)
    course_id = CourseDirectory(config=config).course_id
    with Gradebook(db_url(course, config), course_id) as gradebook:
        plugin.export(gradebook)


def nbgrader_csv(course: Path, destination: Path) -> Path:
    """nbgrader's own export (its columns), for every student and assignment in the gradebook.

    nbgrader lists students in the order they entered the gradebook, which for a parallel run
    is the order notebooks happened to finish; rows are sorted by assignment and student so
    that the same grades always give the same file.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    exported = destination.with_name(f".{destination.name}.nbgrader")
    try:
        export_with_nbgraders_exporter(course, exported)
        with exported.open(newline="") as handle:
            header, *rows = list(csv.reader(handle))
    finally:
        exported.unlink(missing_ok=True)
    key = (header.index("assignment"), header.index("student_id"))
    rows.sort(key=lambda row: (row[key[0]], row[key[1]]))
    with writing_atomically(destination, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")  # as nbgrader writes it
        writer.writerow(header)
        writer.writerows(rows)
    return destination
