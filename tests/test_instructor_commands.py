"""The instructor's commands when something goes wrong around them: a second roster without
emails, a release nbgrader refuses, a malformed submission in a scan, an output path that
cannot be written, a reader that goes away (`| head`), Ctrl-C while feedback is made, and
feedback left behind by a `--no-feedback` run."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from support import (
    ASSIGNMENT,
    REPOSITORY,
    handed_in_by,
    pglab_in_process,
    pglab_started,
    without_demonstrations,
)
from support import pglab_script as pglab

from pglab.cli import export as export_verb
from pglab.course import nbgrader_env, scratch_course
from pglab.pipeline import exports, feedback
from pglab.submissions import fill, solution_code

NOTEBOOK = f"{ASSIGNMENT}.ipynb"
pytestmark = pytest.mark.pipeline


def students(course: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s.id: (s.first_name, s.last_name, s.email) for s in gradebook.students}


def test_a_second_roster_keeps_what_it_does_not_give(tmp_path):
    """nbgrader's CSV with emails, then Canvas's export (no email column) and a CSV with an
    empty email: existing students keep their emails; names the new roster gives change."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPOSITORY / "nbgrader_config.py", course)
    first, canvas, again = tmp_path / "first.csv", tmp_path / "canvas.csv", tmp_path / "again.csv"
    first.write_text(
        "id,first_name,last_name,email\n777,Ann,Lee,ann@uni.edu\n555,Bo,Ray,bo@uni.edu\n"
    )
    canvas.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,reinforce\n"
        '"Lee-Smith, Ann",777,,,,\n"Ng, Cy",999,,,,\n'
    )
    again.write_text("id,first_name,last_name,email\n555,,,\n999,Cy,Ng,cy@uni.edu\n")
    for roster in (first, canvas, again):
        result = pglab(course, "roster", str(roster))
        assert result.returncode == 0, result.stdout + result.stderr
    assert students(course) == {
        "777": ("Ann", "Lee-Smith", "ann@uni.edu"),
        "555": ("Bo", "Ray", "bo@uni.edu"),
        "999": ("Cy", "Ng", "cy@uni.edu"),
    }


def _tree(course: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(course)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for tree in ("release", "solutions")
        for p in sorted((course / tree).rglob("*"))
    }


@pytest.mark.pipeline
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's add_submission
def test_a_release_nbgrader_refuses_leaves_release_and_solutions_as_they_were(tmp_path):
    """With submissions in the gradebook nbgrader will not remove a graded cell: `pglab
    release` says so in two plain lines, and release/ and solutions/ are untouched."""
    course = scratch_course(REPOSITORY, tmp_path / "course", [ASSIGNMENT])
    (course / "solutions" / ASSIGNMENT).mkdir(parents=True)
    (course / "solutions" / ASSIGNMENT / NOTEBOOK).write_text("the published solution")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_student("ann")
        gradebook.add_submission(ASSIGNMENT, "ann")
    source = course / "source" / ASSIGNMENT / NOTEBOOK
    notebook = nbformat.read(source, as_version=4)
    notebook.cells = [
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "log_prob"
    ]
    assert len(notebook.cells) < len(nbformat.read(source, as_version=4).cells)
    nbformat.write(notebook, source)
    before = _tree(course)
    result = pglab(course, "release", ASSIGNMENT)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0] == (
        "pglab release: nbgrader could not regenerate reinforce: Cannot add or remove cells for "
        "notebook 'reinforce' because there are submissions associated with it. "
        "release/reinforce, solutions/reinforce and the gradebook are left as they were."
    )
    assert "put the removed cells back in source/" in lines[1]
    assert _tree(course) == before


def test_scan_reports_a_malformed_notebook_and_scans_the_others(tmp_path):
    """A cell whose source is a number, or a file that is not JSON: that student's line
    says why it cannot be read, as `pglab grade` says it; everyone else is scanned."""
    release = json.loads((REPOSITORY / "release" / ASSIGNMENT / NOTEBOOK).read_text())
    tampered = json.loads(json.dumps(release))
    next(c for c in tampered["cells"] if c["cell_type"] == "code")["source"] = 123
    bad_source = json.loads(json.dumps(release))
    bad_source["cells"].append(
        {"cell_type": "code", "id": "dan", "metadata": {}, "source": "import os",
         "outputs": [], "execution_count": None}
    )  # fmt: skip
    files = {
        "ann": json.dumps(release),
        "bob": json.dumps(tampered),
        "cyd": '{"cells": [',
        "dan": json.dumps(bad_source),
    }
    for student, text in files.items():
        path = tmp_path / "submitted" / student / ASSIGNMENT / NOTEBOOK
        path.parent.mkdir(parents=True)
        path.write_text(text)
    result = pglab(tmp_path, "scan", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "ann: 0 flags",
        "bob: 1 flag",
        "  reinforce.ipynb: cannot be read (the notebook's structure is invalid: 123 is not "
        "valid under any of the given schemas)",
        "cyd: 1 flag",
        "  reinforce.ipynb: cannot be read (the file is not valid notebook JSON (line 1, "
        "column 12: Expecting value); it may be truncated or edited outside Jupyter)",
        "dan: 1 flag",
    ]
    assert lines[6].startswith(f"  cell {len(release['cells'])}, line 1: imports os")


@pytest.mark.parametrize(
    "command",
    [
        ("export", ASSIGNMENT, "--to", "{file}/x"),
        ("export", ASSIGNMENT, "--to", "{file}"),
        ("config-reference", "--write", "--output", "{file}/x"),
    ],
    ids=" ".join,
)
def test_an_output_path_that_cannot_be_written_is_named_in_one_line(tmp_path, command):
    course = scratch_course(REPOSITORY, tmp_path / "course", [ASSIGNMENT])
    file = tmp_path / "a-file"
    file.write_text("not a folder")
    result = pglab(course, *(word.format(file=file) for word in command))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == "" and len(result.stdout.splitlines()) == 1, result.stdout
    assert str(file) in result.stdout and result.stdout.startswith(f"pglab {command[0]}: ")
    assert file.read_text() == "not a folder"


def test_export_with_no_students_says_so_in_a_sentence(tmp_path):
    course = scratch_course(REPOSITORY, tmp_path / "course", [ASSIGNMENT])
    result = pglab(course, "export", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        "pglab export: no students: the gradebook has no roster (pglab roster CSV) and no "
        "graded reinforce (pglab grade reinforce); the files hold the header alone"
    )


def correct_notebook(course: Path) -> nbformat.NotebookNode:
    source = nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    return without_demonstrations(fill(release, solution_code(source)))


def hand_in(course: Path, student: str, notebook: nbformat.NotebookNode) -> Path:
    path = course / "submitted" / student / ASSIGNMENT / NOTEBOOK
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """A course whose four students (distinct files) are graded, with feedback."""
    course = scratch_course(REPOSITORY, tmp_path_factory.mktemp("graded") / "course", [ASSIGNMENT])
    correct = correct_notebook(course)
    for student in ("ann", "bob", "cyd", "dan"):
        hand_in(course, student, handed_in_by(correct, student))
    result = pglab(course, "grade", ASSIGNMENT, "--quiet", "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return course


@pytest.fixture
def course(graded, tmp_path) -> Path:
    return Path(shutil.copytree(graded, tmp_path / "course"))


def children_running(session: int, word: str) -> bool:
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and os.getsid(int(proc.name)) == session:
                if word.encode() in (proc / "cmdline").read_bytes():
                    return True
        except (OSError, ProcessLookupError):
            continue
    return False


@pytest.mark.pipeline
def test_a_closed_output_ends_quietly_and_grading_finishes(course):
    """`pglab export | head -3`, `pglab grade 2>&1 | head`: the reader is gone before the
    first line. No traceback, exit 141 as SIGPIPE's, and the notebook asked for is graded and
    saved."""
    state = course / ".pglab" / "grade" / ASSIGNMENT
    before = {p.stem: p.stat().st_mtime_ns for p in state.glob("*.json")}
    for command in (("export", ASSIGNMENT), ("grade", ASSIGNMENT, "--student", "bob")):
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "pglab"), *command],
            cwd=course,
            env=nbgrader_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        process.stdout.close()  # the reader goes away: every write is EPIPE
        process.stderr.close()
        assert process.wait(timeout=600) == 141, command
    after = {p.stem: p.stat().st_mtime_ns for p in state.glob("*.json")}
    assert set(after) == set(before) == {"ann", "bob", "cyd", "dan"}
    assert after["bob"] > before["bob"], "bob's notebook was not graded again"
    assert json.loads((state / "bob.json").read_text())["status"] == "graded"


@pytest.mark.pipeline
def test_ctrl_c_while_feedback_is_made_says_the_grades_are_saved(course):
    """Every page is missing, so a plain run grades nobody and goes straight to feedback."""
    shutil.rmtree(course / "feedback")
    shutil.rmtree(course / "exports")
    process = pglab_started(course, "grade", ASSIGNMENT, "--quiet", "--jobs", "2")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not children_running(process.pid, "generate_feedback"):
        time.sleep(0.1)
    assert process.poll() is None, process.communicate()
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err, err
    assert out.splitlines()[-1] == (
        "pglab grade: interrupted while making feedback. The grades are saved, and in "
        f"{course / 'exports'}; the feedback is not finished: run the command again without "
        "--force or --student (nobody unchanged is graded again) to make the rest."
    )
    assert (course / "exports" / f"{ASSIGNMENT}-grades.csv").is_file()
    rerun = pglab(course, "grade", ASSIGNMENT, "--quiet")
    assert "0 graded, 4 unchanged" in rerun.stdout, rerun.stdout
    for student in ("ann", "bob", "cyd", "dan"):
        assert (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()


def test_the_canvas_file_carries_what_the_canvas_roster_said(course, tmp_path):
    """Canvas's import recognises an assignment by its column header, "reinforce (123)" in a
    Canvas export, and students by their ids: the export writes back the header and each
    student's SIS ids and section that the Canvas roster gave; a hub user not on it keeps
    their user name as the SIS Login ID."""
    roster = tmp_path / "canvas.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,reinforce (123),Current Score\n"
        "    Points Possible,,,,,29,\n"
        '"Lee, Ann",777,S0777,alee,RL101 Sec 2,,\n'
        '"=HYPERLINK(""http://x""), Bo",555,,@SUM(1),,,\n'
    )
    assert pglab(course, "roster", str(roster)).returncode == 0
    result = pglab(course, "export", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    with (course / "exports" / f"{ASSIGNMENT}-canvas.csv").open(newline="") as handle:
        header, points, *rows = list(csv.reader(handle))
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "reinforce (123)"]
    by_id = {row[1] or row[3]: row for row in rows}
    assert by_id["777"][:5] == ["Lee, Ann", "777", "S0777", "alee", "RL101 Sec 2"]
    assert by_id["ann"][:5] == ["ann", "", "", "ann", ""]
    # a name or id that a spreadsheet would run as a formula is written as text
    assert by_id["555"][0] == '\'=HYPERLINK("http://x"), Bo' and by_id["555"][3] == "'@SUM(1)"
    with (course / "exports" / f"{ASSIGNMENT}-grades.csv").open(newline="") as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert grades["555"]["last_name"] == '\'=HYPERLINK("http://x")'


@pytest.mark.pipeline
def test_a_feedback_page_cut_short_is_made_again(course, monkeypatch):
    """nbgrader writes a page in place, so a Ctrl-C while it renders bob's leaves half a page,
    newer than his notebook and made from the gradebook entries it holds now. The next run
    makes it again; the others' pages are current and left alone."""
    page = course / "feedback" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    whole = page.read_text()

    def cut_short(*arguments, **options):  # nbgrader when the Ctrl-C came
        page.write_text(whole[: len(whole) // 3])
        raise KeyboardInterrupt

    monkeypatch.setattr(feedback, "run_nbgrader", cut_short)
    with pytest.raises(KeyboardInterrupt):
        feedback.generate_feedback(course, ASSIGNMENT, ["bob"], jobs=1)
    monkeypatch.undo()
    everyone = ["ann", "bob", "cyd", "dan"]
    assert feedback.needing_feedback(course, ASSIGNMENT, [], everyone) == ["bob"]
    rerun = pglab(course, "grade", ASSIGNMENT, "--quiet")
    assert "0 graded, 4 unchanged" in rerun.stdout, rerun.stdout + rerun.stderr
    assert page.read_text() == whole
    assert feedback.needing_feedback(course, ASSIGNMENT, [], everyone) == []


def test_exports_cut_short_keep_the_earlier_files_whole(course, monkeypatch):
    """A Ctrl-C while the exports are written leaves each file as it was, not half of a new
    one, and no partial file beside them; the command says it was interrupted, in a line."""
    folder = course / "exports"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    grades = exports.final_grades(course, ASSIGNMENT)

    class CutShort(list):
        def __iter__(self):
            yield self[0]
            raise KeyboardInterrupt

    cut = exports.FinalGrades(
        grades.assignment, grades.duedate, grades.max_score, CutShort(grades.rows)
    )
    for write in (exports.write_nbgrader_csv, exports.write_canvas_csv):
        with pytest.raises(KeyboardInterrupt):
            write(cut, folder / f"{ASSIGNMENT}-{write.__name__}.csv")
        with pytest.raises(KeyboardInterrupt):
            write(cut, folder / f"{ASSIGNMENT}-grades.csv")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

    def interrupted(*arguments):
        raise KeyboardInterrupt

    monkeypatch.setattr(export_verb, "export_assignment", interrupted)
    status, out, err = pglab_in_process(course, "export", ASSIGNMENT)
    assert (status, out, err) == (130, "pglab export: interrupted.\n", ""), (status, out, err)


@pytest.mark.pipeline
def test_feedback_older_than_the_grading_is_made_again(course):
    """bob's file changes and is graded with --no-feedback: the next run grades nobody but
    makes bob's feedback again, with his new score; nobody else's."""
    release = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    hand_in(course, "bob", without_demonstrations(release))
    feedback = {
        s: course / "feedback" / s / ASSIGNMENT / f"{ASSIGNMENT}.html"
        for s in ("ann", "bob", "cyd", "dan")
    }
    first = pglab(course, "grade", ASSIGNMENT, "--quiet", "--no-feedback")
    assert "1 graded, 3 unchanged" in first.stdout, first.stdout
    before = {s: p.stat().st_mtime_ns for s, p in feedback.items()}
    second = pglab(course, "grade", ASSIGNMENT, "--quiet")
    assert "0 graded, 4 unchanged" in second.stdout, second.stdout
    after = {s: p.stat().st_mtime_ns for s, p in feedback.items()}
    assert [s for s in feedback if after[s] != before[s]] == ["bob"]
    autograded = course / "autograded" / "bob" / ASSIGNMENT / NOTEBOOK
    assert after["bob"] >= autograded.stat().st_mtime_ns
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission(ASSIGNMENT, s).score for s in ("ann", "bob")}
    assert scores["bob"] < scores["ann"]
    for student, score in scores.items():  # the page's first score is the total
        total = re.search(r"Score: ([\d.]+) /", feedback[student].read_text())
        assert float(total.group(1)) == pytest.approx(score), student


@pytest.mark.pipeline
def test_ctrl_c_of_a_forced_run_says_what_a_run_without_force_does(course):
    state = course / ".pglab" / "grade" / ASSIGNMENT
    before = {p.stem: p.stat().st_mtime_ns for p in state.glob("*.json")}
    process = pglab_started(course, "grade", ASSIGNMENT, "--force", "--quiet", "--jobs", "1")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and all(
        p.stat().st_mtime_ns == before[p.stem] for p in state.glob("*.json")
    ):
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, out + err
    left = [p.stem for p in state.glob("*.json") if p.stat().st_mtime_ns == before[p.stem]]
    assert 1 <= len(left) < 4
    assert out.splitlines()[-1] == (
        "pglab grade: interrupted. Every notebook graded so far is saved. Run it without "
        f"--force to grade the new or changed submissions left; the {len(left)} graded before "
        "that this run did not reach keep their earlier grading (--student ID grades one "
        "again, --force everyone)."
    )
    rerun = pglab(course, "grade", ASSIGNMENT, "--quiet", "--no-feedback")
    assert "0 graded, 4 unchanged" in rerun.stdout, rerun.stdout


@pytest.mark.pipeline
def test_what_tas_give_in_formgrader_reaches_the_feedback(course):
    """A TA grades bob's written answer and comments on it (formgrader writes the gradebook):
    the next `pglab grade` grades nobody but makes bob's page again, with the points and the
    comment; nobody else's, and a run after that makes none. When bob hands in again, the
    run says that the TA's points still count until a TA looks again."""
    pages = {
        s: course / "feedback" / s / ASSIGNMENT / f"{ASSIGNMENT}.html"
        for s in ("ann", "bob", "cyd", "dan")
    }
    before = {s: p.stat().st_mtime_ns for s, p in pages.items()}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade("answer_score_function", ASSIGNMENT, ASSIGNMENT, "bob")
        grade.manual_score = grade.max_score
        comment = gradebook.find_comment("answer_score_function", ASSIGNMENT, ASSIGNMENT, "bob")
        comment.manual_comment = "A clean derivation of the score."
        gradebook.db.commit()
        score = gradebook.find_submission(ASSIGNMENT, "bob").score
    first = pglab(course, "grade", ASSIGNMENT, "--quiet")
    assert "0 graded, 4 unchanged" in first.stdout, first.stdout
    after = {s: p.stat().st_mtime_ns for s, p in pages.items()}
    assert [s for s in pages if after[s] != before[s]] == ["bob"]
    page = pages["bob"].read_text()
    assert "A clean derivation of the score." in page
    assert float(re.search(r"Score: ([\d.]+) /", page).group(1)) == pytest.approx(score)
    second = pglab(course, "grade", ASSIGNMENT, "--quiet")
    assert "0 graded, 4 unchanged" in second.stdout, second.stdout
    assert {s: p.stat().st_mtime_ns for s, p in pages.items()} == after
    # bob hands in again: nbgrader keeps the TA's points for a file the TA has not seen
    hand_in(course, "bob", handed_in_by(correct_notebook(course), "bob, again"))
    third = pglab(course, "grade", ASSIGNMENT, "--quiet")
    assert "1 graded, 3 unchanged" in third.stdout, third.stdout
    assert (
        "  bob: graded again after TA grading: the TA's points on answer_score_function still "
        "count, on their feedback page too, and wait in formgrader for a TA to confirm or "
        "change them (nbgrader keeps them)"
    ) in third.stdout.splitlines(), third.stdout
    assert "ann:" not in third.stdout
