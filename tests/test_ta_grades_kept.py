"""What happens to a TA's grades when a student is graded again (docs/instructor.md,
"Regrade"), through the real commands: a file that could not be graded for a while, points
changed in source/ after TA grading, and extra credit on a resubmitted cell.

One class of three students, handed in as one byte-identical file (graded once), goes through
a semester in a module fixture: two more gradings in all (kat and lee share a file; mo hands in
again)."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from support import ASSIGNMENT, REPOSITORY, handed_in_by, without_demonstrations
from support import pglab_script as pglab

from pglab.course import scratch_course
from pglab.submissions import fill, solution_code

pytestmark = pytest.mark.pipeline

NOTEBOOK = f"{ASSIGNMENT}.ipynb"
ON_TIME = "2026-03-01 11:00:00 UTC"
#: the written answer whose points the instructor changes after TA grading, from 2 to 4
CHANGED = "answer_constant_baseline"
#: the autograded cell a TA gives mo extra credit on, before mo hands in again
EXTRA = "test_grad_log_prob"
#: the tail of each "graded again after TA grading" line (`pglab grade`)
STILL_COUNT = (
    "still count, on their feedback page too, and wait in formgrader for a TA to confirm or "
    "change them (nbgrader keeps them)"
)


def hand_in(course: Path, student: str, notebook, timestamp: str | None = None) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / NOTEBOOK)
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp)


def grade(course: Path):
    result = pglab(course, "grade", ASSIGNMENT, "--quiet", "--no-feedback")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def statuses(course: Path) -> dict[str, str]:
    with (course / "exports" / f"{ASSIGNMENT}-grades.csv").open(newline="") as handle:
        return {row["student_id"]: row["status"] for row in csv.DictReader(handle)}


def ta_cells(course: Path, student: str) -> dict[str, tuple]:
    """grade cell -> (manual score, extra credit, points, needs manual grade), for the cells a
    TA gave points."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            g.name: (g.manual_score, g.extra_credit, g.max_score, g.needs_manual_grade)
            for n in gradebook.find_submission(ASSIGNMENT, student).notebooks
            for g in n.grades
            if g.manual_score is not None or g.extra_credit
        }


def graded_again_line(stdout: str, student: str) -> str | None:
    start = f"  {student}: graded again after TA grading: "
    return next((line for line in stdout.splitlines() if line.startswith(start)), None)


@pytest.fixture(scope="module")
def semester(tmp_path_factory) -> dict:
    course = scratch_course(
        REPOSITORY, tmp_path_factory.mktemp("ta-grades") / "course", [ASSIGNMENT]
    )
    source = nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    answered = without_demonstrations(fill(release, solution_code(source)))
    for cell in answered.cells:  # written answers, for TAs to grade
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "The score function is the gradient of the log-probability."
    for student in ("kat", "lee", "mo"):
        hand_in(course, student, answered, ON_TIME)
    found: dict = {"course": course, "first": grade(course)}

    # TA grading, as formgrader saves it: kat's written answers full marks, lee's CHANGED
    # 2/2, and mo extra credit on EXTRA
    written = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for notebook in gradebook.find_submission(ASSIGNMENT, "kat").notebooks:
            for cell in notebook.grades:
                if cell.auto_score is None:
                    cell.manual_score = cell.max_score
                    cell.needs_manual_grade = False
                    written.append(cell.name)
        cell = gradebook.find_grade(CHANGED, ASSIGNMENT, ASSIGNMENT, "lee")
        assert cell.max_score == 2
        cell.manual_score, cell.needs_manual_grade = 2.0, False
        cell = gradebook.find_grade(EXTRA, ASSIGNMENT, ASSIGNMENT, "mo")
        cell.extra_credit, cell.needs_manual_grade = 1.0, False
        gradebook.db.commit()
    found["written"] = written

    # kat's file cannot be graded for a while: her timestamp.txt is not a date
    stamp = course / "submitted" / "kat" / ASSIGNMENT / "timestamp.txt"
    stamp.write_text("not a date")
    found["not_graded"] = grade(course)
    found["not_graded_status"] = statuses(course)
    stamp.write_text(ON_TIME)

    # mo hands in again; the instructor gives CHANGED 4 points and releases
    hand_in(course, "mo", handed_in_by(answered, "mo, again"))
    path = course / "source" / ASSIGNMENT / NOTEBOOK
    edited = nbformat.read(path, as_version=4)
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == CHANGED:
            cell.metadata["nbgrader"]["points"] = 4
    nbformat.write(edited, path)
    found["release"] = pglab(course, "release", ASSIGNMENT)
    assert found["release"].returncode == 0, found["release"].stdout + found["release"].stderr

    found["regraded"] = grade(course)
    found["cells"] = {s: ta_cells(course, s) for s in ("kat", "lee", "mo")}
    found["status"] = statuses(course)
    return found


def test_a_file_that_could_not_be_graded_for_a_while_keeps_the_tas_written_answers(semester):
    """kat's timestamp.txt is not a date for one run, then fixed: the very file the TA graded
    is graded again and her written answers stay as the TA left them, as after `--student`
    (only the one whose points changed meanwhile waits for a TA)."""
    assert "not used: kat/reinforce/reinforce.ipynb: not graded: its timestamp.txt" in (
        semester["not_graded"].stdout
    )
    assert semester["not_graded_status"]["kat"].startswith("could not be graded: ")
    regraded = semester["regraded"].stdout
    assert "3 graded, 0 unchanged, 0 could not be graded" in regraded, regraded
    cells = semester["cells"]["kat"]
    assert sorted(cells) == sorted(semester["written"]) and len(cells) == 5
    for name, (manual, _, points, needs_review) in cells.items():
        assert manual == points if name != CHANGED else manual == 2, (name, cells)
        assert needs_review == (name == CHANGED), (name, cells)
    line = graded_again_line(regraded, "kat")
    assert line is not None and "answer_score_function" not in line, line
    assert semester["status"]["kat"] == "needs manual grading"


def test_a_ta_grade_given_out_of_other_points_waits_for_a_ta_and_is_named(semester):
    """lee's written answer was graded 2/2; then it is worth 4 points: the TA's 2 is kept but
    is no longer "confirmed", and `pglab grade` names it with both points."""
    regraded = semester["regraded"].stdout
    assert semester["cells"]["lee"] == {CHANGED: (2.0, None, 4.0, True)}
    assert (
        f"  lee: graded again after TA grading: the TA's points on {CHANGED} (now out of 4 "
        f"points, graded before out of 2) {STILL_COUNT}"
    ) in regraded.splitlines(), regraded
    assert (
        f"  kat: graded again after TA grading: the TA's points on {CHANGED} (now out of 4 "
        f"points, graded before out of 2) {STILL_COUNT}"
    ) in regraded.splitlines(), regraded
    assert (
        "Written answers a TA graded keep their grades (flagged for a TA to confirm where "
        "their points changed)."
    ) in regraded, regraded


def test_extra_credit_on_a_resubmitted_cell_is_named(semester):
    """mo had +1 extra credit on an autograded cell, then handed in again: the extra credit
    still counts, so it waits for a TA and is named, as a TA's manual score would be."""
    regraded = semester["regraded"].stdout
    assert semester["cells"]["mo"] == {EXTRA: (None, 1.0, 2.0, True)}
    assert (
        f"  mo: graded again after TA grading: the TA's points on {EXTRA} (extra credit) "
        f"{STILL_COUNT}"
    ) in regraded.splitlines(), regraded
