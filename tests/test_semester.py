"""An instructor's semester through the real commands: late penalties as nbgrader applies
them, regrading on purpose, a restored gradebook, the roster, and final grades after TA
grading; and every `pglab` verb on a fresh clone (no gradebook yet) without a traceback."""

from __future__ import annotations

import csv
import json
import shutil
import struct
import zipfile
from datetime import timedelta
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from support import ASSIGNMENT, REPOSITORY, pglab_in_process, without_demonstrations
from support import pglab_script as pglab

from pglab.course import run_nbgrader, scratch_course
from pglab.roster import RosterRow, parse_roster
from pglab.submissions import fill, solution_code

DUE = "2026-03-01 12:00:00 UTC"
ON_TIME = "2026-03-01 11:59:00 UTC"
LATE = "2026-03-02 09:00:00 UTC"

#: A custom nbgrader late-penalty plugin in a module next to nbgrader_config.py, which
#: nbgrader and pglab both import from the course directory: half the score off when late.
HALF_OFF = """
from nbgrader.plugins import LateSubmissionPlugin


class HalfOff(LateSubmissionPlugin):
    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return score / 2 if total_seconds_late > 0 else None
"""

METHODS = {
    "none": "c.LateSubmissionPlugin.penalty_method = 'none'\n",
    "zero": "c.LateSubmissionPlugin.penalty_method = 'zero'\n",
    "custom": "c.AssignLatePenalties.plugin_class = 'half_off.HalfOff'\n",
}

pytestmark = pytest.mark.pipeline


def saved(course: Path) -> dict[str, tuple[float, float]]:
    """student -> (score, late penalty) as the gradebook holds them."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            s.student_id: (float(s.score), float(s.late_submission_penalty or 0.0))
            for s in gradebook.assignment_submissions(ASSIGNMENT)
        }


def auto_scores(course: Path) -> dict[str, dict[str, float | None]]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            s.student_id: {g.name: g.auto_score for n in s.notebooks for g in n.grades}
            for s in gradebook.assignment_submissions(ASSIGNMENT)
        }


def extend(course: Path, student: str, extension: timedelta | None) -> None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.find_submission(ASSIGNMENT, student).extension = extension
        gradebook.db.commit()


def configure(course: Path, base: str, method: str) -> None:
    (course / "nbgrader_config.py").write_text(base + METHODS[method])


def submit(course: Path, student: str, data: bytes, timestamp: str | None) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_bytes(data)
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp)


@pytest.fixture(scope="module")
def semester(tmp_path_factory):
    """Two copies of one course; each late-penalty method graded by `nbgrader autograde` in
    one and by `pglab grade` in the other. Then the pglab course goes on through a semester."""
    root = tmp_path_factory.mktemp("semester")
    base = scratch_course(REPOSITORY, root / "base", [ASSIGNMENT])
    config = (base / "nbgrader_config.py").read_text()
    config += "\nc.Execute.timeout = 60\nc.Grading.notebook_timeout = 300\n"
    (base / "half_off.py").write_text(HALF_OFF)
    with Gradebook(f"sqlite:///{base / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
    source = nbformat.read(base / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    release = nbformat.read(base / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    answered = without_demonstrations(fill(release, solution_code(source)))
    for cell in answered.cells:  # written answers, for TAs to grade (unanswered ones score 0)
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "The score function is the gradient of the log-probability."
    correct = nbformat.writes(answered).encode()
    submit(base, "ann", correct, ON_TIME)
    submit(base, "bob", correct, LATE)
    nb, pg = root / "nbgrader", root / "pglab"
    shutil.copytree(base, nb)
    shutil.copytree(base, pg)
    backup = root / "gradebook-before-grading.db"
    shutil.copy(pg / "gradebook.db", backup)

    found: dict = {"methods": {}, "course": pg, "config": config}
    for method in METHODS:
        configure(nb, config, method)
        configure(pg, config, method)
        run_nbgrader(nb, "autograde", ASSIGNMENT, "--force")
        graded = pglab(pg, "grade", ASSIGNMENT, "--quiet", "--no-feedback")
        assert graded.returncode == 0, graded.stdout + graded.stderr
        found["methods"][method] = (saved(nb), saved(pg), graded.stdout)
    # A setting grading reads (unlike the late policy) grades everyone again, announced.
    configure(pg, config + "c.Execute.timeout = 61\n", "custom")
    found["grading_changed"] = pglab(pg, "grade", ASSIGNMENT, "--quiet", "--no-feedback").stdout

    # Regrade on purpose: a rerun grades nobody; --student grades exactly that one.
    found["rerun"] = pglab(pg, "grade", ASSIGNMENT, "--quiet", "--no-feedback").stdout
    bob = pg / "autograded" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    bob_before = bob.stat().st_mtime_ns
    found["one"] = pglab(pg, "grade", ASSIGNMENT, "--student", "ann", "--quiet", "--no-feedback")
    found["bob_untouched"] = bob.stat().st_mtime_ns == bob_before
    found["unknown"] = pglab(pg, "grade", ASSIGNMENT, "--student", "nobody", "--quiet")

    # An extension for bob, then grading ann alone: bob's penalty follows, in every export.
    extend(pg, "bob", timedelta(days=2))
    found["extended"] = pglab(
        pg, "grade", ASSIGNMENT, "--student", "ann", "--quiet", "--no-feedback"
    ).stdout
    found["extended_rows"] = [
        {r["student_id"]: r for r in _rows(pg / "exports" / name) if r["assignment"] == ASSIGNMENT}
        for name in ("grades.csv", f"{ASSIGNMENT}-grades.csv")
    ]
    extend(pg, "bob", None)

    # The roster, a file that cannot be graded, TA grading, then the final export.
    roster = root / "roster.csv"
    roster.write_text(
        "id,first_name,last_name,email\n"
        "ann,Ann,Lee,ann@example.org\nbob,Bob,Ray,\ncyd,Cyd,Fox,\ndan,Dan,Orr,\n"
    )
    found["roster"] = pglab(pg, "roster", str(roster))
    submit(pg, "cyd", b'{"cells": [ this is not json', ON_TIME)
    found["cyd"] = pglab(pg, "grade", ASSIGNMENT, "--quiet", "--no-feedback")
    found["before_ta"] = _rows(pg / "exports" / f"{ASSIGNMENT}-grades.csv")
    manual = {}
    with Gradebook(f"sqlite:///{pg / 'gradebook.db'}") as gradebook:
        for student in ("ann", "bob"):
            submission = gradebook.find_submission(ASSIGNMENT, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.auto_score is None:  # a written answer: as formgrader saves it
                        grade.manual_score = grade.max_score / 2
                        grade.needs_manual_grade = False
                        manual[student] = manual.get(student, 0.0) + grade.max_score / 2
        gradebook.db.commit()
    found["manual"] = manual
    found["export"] = pglab(pg, "export", ASSIGNMENT)
    # read now: the restore below runs pglab grade, which rewrites exports/
    found["final"] = _rows(pg / "exports" / f"{ASSIGNMENT}-grades.csv")
    found["every_assignment"] = _rows(pg / "exports" / "grades.csv")
    with (pg / "exports" / f"{ASSIGNMENT}-canvas.csv").open(newline="") as handle:
        found["canvas"] = list(csv.reader(handle))
    # bob graded again on purpose, the same file: the answers the TA graded stay confirmed
    found["regraded_after_ta"] = pglab(
        pg, "grade", ASSIGNMENT, "--student", "bob", "--quiet", "--no-feedback"
    )
    with Gradebook(f"sqlite:///{pg / 'gradebook.db'}") as gradebook:
        found["ta_cells_after_regrade"] = {
            g.name: g.needs_manual_grade
            for n in gradebook.find_submission(ASSIGNMENT, "bob").notebooks
            for g in n.grades
            if g.manual_score is not None
        }
    state = pg / ".pglab" / "grade" / ASSIGNMENT
    found["auto"] = {
        s: json.loads((state / f"{s}.json").read_text())["score"] for s in ("ann", "bob")
    }

    # Restore the gradebook backed up before any grading: the next run puts grades back.
    found["before_restore"] = auto_scores(pg)
    shutil.copy(backup, pg / "gradebook.db")
    found["restored"] = pglab(pg, "grade", ASSIGNMENT, "--quiet", "--no-feedback")
    found["after_restore"] = auto_scores(pg)
    return found


@pytest.mark.parametrize("method", list(METHODS))
def test_pglab_grade_saves_the_late_penalty_nbgrader_autograde_saves(semester, method):
    by_nbgrader, by_pglab, _ = semester["methods"][method]
    assert by_pglab == by_nbgrader
    (ann_score, ann_penalty), (bob_score, bob_penalty) = by_pglab["ann"], by_pglab["bob"]
    assert ann_score == bob_score > 0 and ann_penalty == 0  # same notebook, ann on time
    expected = {"none": 0.0, "zero": bob_score, "custom": bob_score / 2}[method]
    assert bob_penalty == pytest.approx(expected)


def test_a_changed_late_policy_reaches_the_saved_penalties_without_grading_again(semester):
    """The late policy is not part of grading: changing it grades nobody again (TA-graded
    cells stay closed), and the penalties it changes are saved and named."""
    first, *changed = (semester["methods"][m][2] for m in METHODS)
    assert "graded again" not in first and "late penalty changed" not in first
    bob_score = semester["methods"]["none"][1]["bob"][0]
    before = {"zero": 0.0, "custom": bob_score}
    for method, stdout in zip(list(METHODS)[1:], changed, strict=True):
        assert "graded again" not in stdout, stdout
        assert "0 graded, 2 unchanged" in stdout, stdout
        penalty = semester["methods"][method][1]["bob"][1]
        assert (
            "late penalty changed for 1 submission(s) not graded now (the due date, an "
            f"extension, the late policy or their points changed): bob {before[method]:g} -> "
            f"{penalty:g}"
        ) in stdout, stdout


def test_a_changed_grading_config_is_announced_before_everyone_is_regraded(semester):
    stdout = semester["grading_changed"]
    assert (
        "2 submission(s) graded before are graded again: the grading changed since (a grading "
        "setting in nbgrader_config.py (not the late policy)). Written answers a TA graded "
        "keep their grades."
    ) in stdout, stdout
    assert "2 graded, 0 unchanged" in stdout
    assert "late penalty changed" not in stdout


def test_an_extension_reaches_the_penalty_and_every_export_when_another_is_graded(semester):
    """`--student ann` after bob's extension: bob is not graded again, his penalty is computed
    again and named, and nbgrader's export of every assignment agrees with the assignment's."""
    stdout = semester["extended"]
    assert "1 graded, 0 unchanged" in stdout, stdout
    assert "late penalty changed for 1 submission(s) not graded now" in stdout, stdout
    assert "bob " in stdout.split("late penalty changed")[1].splitlines()[0]
    every, this = semester["extended_rows"]
    assert float(this["bob"]["late_submission_penalty"]) == 0  # two days' extension
    for column in ("raw_score", "late_submission_penalty", "score"):
        assert float(every["bob"][column]) == float(this["bob"][column])


def test_grading_the_same_file_again_keeps_the_tas_written_answer_grades(semester):
    """nbgrader flags every TA-graded cell for review at each regrade; for the very file the
    TA graded, pglab keeps the written answers' grades confirmed and names no one."""
    regraded = semester["regraded_after_ta"]
    assert "1 graded, 0 unchanged" in regraded.stdout, regraded.stdout
    assert "graded again after TA grading" not in regraded.stdout, regraded.stdout
    cells = semester["ta_cells_after_regrade"]
    assert cells and not any(cells.values()), cells


def test_student_regrades_one_student_and_no_one_else(semester):
    assert "0 graded, 2 unchanged" in semester["rerun"], semester["rerun"]
    one = semester["one"]
    assert one.returncode == 0 and "1 graded, 0 unchanged" in one.stdout, one.stdout
    assert semester["bob_untouched"]
    unknown = semester["unknown"]
    assert unknown.returncode == 2 and "nobody" in unknown.stdout
    assert "Traceback" not in unknown.stdout + unknown.stderr


def test_a_restored_gradebook_gets_its_grades_back(semester):
    restored = semester["restored"]
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "no matching grades in the gradebook" in restored.stdout, restored.stdout
    assert "2 graded, 0 unchanged" in restored.stdout
    assert semester["after_restore"] == semester["before_restore"]


def test_grades_csv_is_what_nbgrader_export_writes_in_row_order(semester, tmp_path):
    """`pglab grade` writes exports/grades.csv with nbgrader's exporter in its own process:
    the rows of `nbgrader export` in the same course, sorted by assignment and student."""
    from pglab.pipeline.exports import nbgrader_csv

    course = semester["course"]
    ours = nbgrader_csv(course, tmp_path / "ours.csv").read_text()
    run_nbgrader(course, "export", "--to", str(tmp_path / "theirs.csv"))
    with (tmp_path / "theirs.csv").open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert ours.splitlines()[0] == ",".join(header)
    by = (header.index("assignment"), header.index("student_id"))
    expected = sorted(rows, key=lambda row: (row[by[0]], row[by[1]]))
    assert list(csv.reader(ours.splitlines()[1:])) == expected
    assert [row[by[1]] for row in expected] == ["ann", "bob"]  # the gradebook as restored


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_final_export_carries_ta_points_and_penalties_for_everyone_on_the_roster(semester):
    assert semester["roster"].returncode == 0, semester["roster"].stdout
    assert "1 could not be graded" in semester["cyd"].stdout
    # pglab grade's own export, before TA grading: the written answers are still open
    before = {r["student_id"]: r["status"] for r in semester["before_ta"]}
    assert before["ann"] == before["bob"] == "needs manual grading"
    export = semester["export"]
    assert export.returncode == 0, export.stdout + export.stderr
    # the TA's points change bob's half-off penalty; the export computes it again and says so
    assert "pglab export: late penalty changed for 1 submission(s) not graded now" in export.stdout
    rows = {r["student_id"]: r for r in semester["final"]}
    assert set(rows) == {"ann", "bob", "cyd", "dan"}
    manual, auto = semester["manual"], semester["auto"]
    assert manual["ann"] > 0 and manual["bob"] > 0
    for student in ("ann", "bob"):
        raw = float(rows[student]["raw_score"])
        assert raw == pytest.approx(auto[student] + manual[student])
    # the course's config is the custom plugin: bob was late, half off; ann on time
    assert float(rows["ann"]["late_submission_penalty"]) == 0
    assert float(rows["ann"]["score"]) == pytest.approx(float(rows["ann"]["raw_score"]))
    bob_raw = float(rows["bob"]["raw_score"])
    assert float(rows["bob"]["late_submission_penalty"]) == pytest.approx(bob_raw / 2)
    assert float(rows["bob"]["score"]) == pytest.approx(bob_raw / 2)
    assert rows["ann"]["status"] == rows["bob"]["status"] == "graded"
    assert rows["cyd"]["status"].startswith("could not be graded")
    assert rows["dan"]["status"] == "not submitted" and float(rows["dan"]["score"]) == 0
    assert rows["ann"]["last_name"] == "Lee" and rows["ann"]["email"] == "ann@example.org"
    # nbgrader's whole-course export in the same folder is as new as the gradebook
    every = {r["student_id"]: r for r in semester["every_assignment"]}
    for student in ("ann", "bob"):
        assert float(every[student]["score"]) == pytest.approx(float(rows[student]["score"]))
    # the pages made before TA grading (none here: --no-feedback) are named, with the fix
    assert (
        f"feedback: 2 pages missing or older than the gradebook (ann, bob): pglab grade "
        f"{ASSIGNMENT} makes them again, grading nobody unchanged"
    ) in export.stdout.splitlines(), export.stdout

    header, points, *students = semester["canvas"]
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert float(points[-1]) == float(rows["ann"]["max_score"])
    canvas = {row[3]: row for row in students}
    assert canvas["ann"][0] == "Lee, Ann"
    assert float(canvas["ann"][-1]) == pytest.approx(float(rows["ann"]["score"]))
    assert float(canvas["bob"][-1]) == pytest.approx(float(rows["bob"]["score"]))
    assert canvas["cyd"][-1] == ""  # left for the instructor, not a zero
    assert float(canvas["dan"][-1]) == 0


def test_rosters_in_the_formats_canvas_and_moodle_export():
    canvas = (
        "Student,ID,SIS User ID,SIS Login ID,Section,reinforce (123)\n"
        "    Points Possible,,,,,22\n"
        '"Lee, Ann",777,S1,alee,Sec 1,\n'
        '"Student, Test",,,,,\n'
    )
    assert parse_roster(canvas) == [RosterRow("777", "Ann", "Lee")]
    moodle = (
        "\ufeffIdentifier,Full name,Email address,Status,Grade\n"
        "Participant 555,Ann Mary Lee,ann@example.org,Submitted,\n"
    )
    assert parse_roster(moodle) == [RosterRow("555", "Ann Mary", "Lee", "ann@example.org")]
    with pytest.raises(ValueError, match="no id column"):
        parse_roster("name,grade\nann,3\n")


def test_roster_ids_that_grading_would_read_otherwise_are_named(tmp_path):
    """A roster id no folder could carry as written ("ann lee": pglab grade reads ann_lee)
    would leave that student at zero in the export beside their own grades: say so."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPOSITORY / "nbgrader_config.py", course)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name\nann@uni.edu,Ann\nbo lee,Bo\n")
    result = pglab(course, "roster", str(roster))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        "pglab roster: 1 id(s) are not what pglab grade reads from a folder or file of that "
        "name, so their grades would land elsewhere: 'bo lee' (pglab grade: 'bo_lee'); they "
        "are added as written"
    )


def fresh_clone(course: Path) -> Path:
    """What a clone of this repository holds of a course: the config and source/, no
    gradebook, release/ or submissions."""
    course.mkdir()
    shutil.copy(REPOSITORY / "nbgrader_config.py", course)
    shutil.copytree(REPOSITORY / "source", course / "source")
    return course


def test_every_verb_on_a_fresh_clone_says_what_to_do(tmp_path):
    """A clone has source/ and the config but no gradebook: no verb ends in a traceback.
    (`pglab release` is nbgrader's generate_assignment, which creates the gradebook by
    design; tests/test_release.py runs it.)"""
    course = fresh_clone(tmp_path / "clone")
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nann,Ann,Lee,\n")
    runs = {
        "export before grade": pglab(course, "export", ASSIGNMENT),
        "scan": pglab(course, "scan", ASSIGNMENT),
        "probes": pglab(course, "probes", "--check"),
        "config-reference": pglab(course, "config-reference"),
        "roster": pglab(course, "roster", str(roster)),
        "grade, nothing submitted": pglab(course, "grade", ASSIGNMENT, "--quiet"),
    }
    submit(course, "ann", b"{}", None)
    runs["grade, assignment not yet in the gradebook"] = pglab(
        course, "grade", ASSIGNMENT, "--quiet", "--no-feedback"
    )
    runs["export"] = pglab(course, "export", ASSIGNMENT)
    runs["export, mistyped"] = pglab(course, "export", "reinfroce")
    for name, result in runs.items():
        assert "Traceback" not in result.stdout + result.stderr, (name, result.stderr)
    assert runs["export before grade"].returncode == 2
    assert "pglab grade" in runs["export before grade"].stdout
    assert "no submissions yet" in runs["grade, nothing submitted"].stdout
    graded = runs["grade, assignment not yet in the gradebook"]
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "added it from source/" in graded.stdout and "1 could not be graded" in graded.stdout
    assert runs["export"].returncode == 0
    assert runs["export, mistyped"].returncode == 2
    assert runs["export, mistyped"].stdout == (
        "pglab export: there is no assignment reinfroce: check the name (this course has "
        "actor_critic, reinforce, rewards_to_go)\n"
    )
    assert not (course / "release").exists()  # release/ is pglab release's, not grade's


@pytest.mark.parametrize(
    "command",
    [
        ["grade", ASSIGNMENT],
        ["grade", ASSIGNMENT, "inbox"],
        ["export", ASSIGNMENT],
        ["roster", "roster.csv"],
        ["release", ASSIGNMENT],
        ["release", "--check"],
        ["probes", "--check"],
    ],
    ids=" ".join,
)
def test_every_verb_outside_a_course_says_so_in_one_line(tmp_path, command):
    """Run in the wrong folder (no nbgrader_config.py), or with a mistyped --course, a verb
    says where it looked in one line, and leaves that folder as it was. (`pglab scan` needs
    submitted/ alone and says so itself: tests/test_tamper.py.)"""
    (tmp_path / "inbox").mkdir()
    (tmp_path / "roster.csv").write_text("id\nann\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    here = pglab_in_process(tmp_path, *command)
    mistyped = pglab_in_process(tmp_path, *command, "--course", str(tmp_path / "no-such-course"))
    for (status, out, err), where in ((here, tmp_path), (mistyped, tmp_path / "no-such-course")):
        assert status == 2, out + err
        assert out == (
            f"pglab {command[0]}: {where} is not a course directory (it has no "
            "nbgrader_config.py): run pglab in the course directory, or pass --course DIR.\n"
        )
        assert err == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_mistyped_arguments_are_named_in_one_line(tmp_path):
    """An instructor's typo (a zip that is not there, no jobs, an assignment that does not
    exist) gets one line naming it, before any work, and nothing is created."""
    course = fresh_clone(tmp_path / "clone")
    (course / "inbox").mkdir()
    expected = {
        ("grade", ASSIGNMENT, "submisions.zip"): f"pglab grade: {course}/submisions.zip does "
        "not exist\n",
        ("grade", ASSIGNMENT, "inbox", "--jobs", "0"): "argument --jobs/-j: 0 notebooks at "
        "once: give 1 or more",
        ("release", "reinfroce"): f"pglab release: no source/reinfroce/ in {course}; the "
        "assignments here: actor_critic, reinforce, rewards_to_go\n",
        ("release", "--check", "reinfroce"): "pglab release: no source/reinfroce/",
    }
    for command, says in expected.items():
        status, out, err = pglab_in_process(course, *command)
        assert status == 2, (command, out + err)
        assert says in out + err, (command, out + err)
        assert "Traceback" not in err
    assert sorted(p.name for p in course.iterdir()) == [
        ".pglab", "inbox", "nbgrader_config.py", "source"
    ]  # fmt: skip


def test_a_late_policy_that_cannot_be_imported_is_named_in_one_line(tmp_path):
    course = fresh_clone(tmp_path / "clone")
    (course / "inbox").mkdir()
    with (course / "nbgrader_config.py").open("a") as config:
        config.write("\nc.AssignLatePenalties.plugin_class = 'late_polcy.TenPercentPerDay'\n")
    says = (
        "c.AssignLatePenalties.plugin_class = 'late_polcy.TenPercentPerDay' in "
        "nbgrader_config.py cannot be imported"
    )
    for command in (("grade", ASSIGNMENT, "inbox"), ("export", ASSIGNMENT)):
        status, out, err = pglab_in_process(course, *command)
        assert status == 2, (command, out + err)
        assert f"pglab {command[0]}: {says}" in out, (command, out + err)
        assert "Traceback" not in err


def test_submission_times_keep_their_time_zone_and_lms_zip_dates_are_not_taken_for_them(
    tmp_path,
):
    """A timestamp.txt (nbgrader's, in a folder or a zip) is read with its zone, as nbgrader
    reads it; a Canvas zip entry's date, the time the zip was made, is not a submission time
    (it would make everyone late); Canvas's own LATE mark is kept for the report."""
    from datetime import datetime, timezone

    from pglab.pipeline.discover import discover, zip_date
    from pglab.pipeline.run import submission_time

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        late = zipfile.ZipInfo("leeann_LATE_777_4242_reinforce.ipynb", (2026, 3, 9, 8, 0, 0))
        bundle.writestr(late, b"{}")
        bundle.writestr("ann/reinforce/reinforce.ipynb", b"{}")
        bundle.writestr("ann/reinforce/timestamp.txt", "2026-03-01 23:10:00 Europe/Berlin")
    found = discover(archive, ASSIGNMENT, ASSIGNMENT).submissions
    assert found["777"].timestamp is None
    assert submission_time(found["777"], zipped=True) == (
        "",
        "Canvas marked it LATE; the LMS zip holds no submission time (its entry dates are not one)",
    )
    assert submission_time(found["ann"], zipped=True) == ("2026-03-01 22:10:00 UTC", "")

    # an entry with an extended timestamp field (UTC seconds) is dated in UTC
    moment = datetime(2026, 3, 1, 22, 10, tzinfo=timezone.utc)
    info = zipfile.ZipInfo("x.ipynb", (2026, 3, 1, 23, 10, 0))
    info.extra = struct.pack("<HHBi", 0x5455, 5, 1, int(moment.timestamp()))
    assert zip_date(info) == (moment.timestamp(), "zip entry dated 2026-03-01 22:10:00 UTC")
    info.extra = b""
    assert "no time zone recorded" in zip_date(info)[1]


def test_the_report_counts_a_students_extension(tmp_path):
    """The class report's submission times: lateness against the due date and, for a student
    with an extension in the gradebook (which nbgrader's late penalty counts), against theirs."""
    from pglab.pipeline.report import submission_times
    from pglab.pipeline.run import Outcome, Run

    outcomes = []
    for student, submitted in [
        ("ann", "2026-03-02 10:00:00 UTC"),
        ("cyd", "2026-03-02 10:00:00 UTC"),
        ("dan", "2026-03-05 12:00:00 UTC"),
    ]:
        outcome = Outcome(student, f"{student}.ipynb", "graded")
        outcome.submitted = submitted
        outcomes.append(outcome)
    run = Run(tmp_path, ASSIGNMENT, outcomes, {}, 1.0, 1, "", "2026-03-02 00:00:00 UTC")
    run.extensions = {"cyd": 2 * 86400.0, "dan": 2 * 86400.0}
    assert [row["late"] for row in submission_times(run)] == [
        "10.0 h late",
        "10.0 h late; with their extension of 48.0 h: on time",
        "84.0 h late; with their extension of 48.0 h: 36.0 h late",
    ]
