"""The class changes under a graded assignment: a student who leaves (docs/instructor.md: their
folder moved out of submitted/, `nbgrader db student remove`), a submitted/ folder renamed, a
second roster, a mistyped assignment name. The commands name each case in one plain line with
what to do, never with nbgrader's traceback, and count only the students still in the class.

One grading in all (the module's course, with feedback); the rest are the cheap commands on
copies of it, and one forced run interrupted as its first kernel starts."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from support import ASSIGNMENT, REPOSITORY, handed_in_by, pglab_started, without_demonstrations
from support import pglab_script as pglab

from pglab.course import add_submission, run_nbgrader, scratch_course
from pglab.submissions import fill, solution_code

pytestmark = pytest.mark.pipeline

CLASS = ("ann", "bob", "cyd", "dan")


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """A course whose four students (distinct files) are graded, with feedback."""
    course = scratch_course(REPOSITORY, tmp_path_factory.mktemp("class") / "course", [ASSIGNMENT])
    notebook = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    source = nbformat.read(course / "source" / notebook, as_version=4)
    release = nbformat.read(course / "release" / notebook, as_version=4)
    correct = without_demonstrations(fill(release, solution_code(source)))
    for student in CLASS:
        add_submission(course, ASSIGNMENT, student, handed_in_by(correct, student))
    result = pglab(course, "grade", ASSIGNMENT, "--quiet", "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return course


@pytest.fixture
def course(graded, tmp_path) -> Path:
    return Path(shutil.copytree(graded, tmp_path / "course"))


def leaves(course: Path, student: str) -> None:
    """The removal as docs/instructor.md gave it before: the submitted/ folder moved out of the
    course, then the student removed from the gradebook (autograded/, feedback/ and
    .pglab/grade/ left as they were)."""
    elsewhere = course.parent / "left"
    elsewhere.mkdir(exist_ok=True)
    shutil.move(course / "submitted" / student, elsewhere / student)
    run_nbgrader(course, "db", "student", "remove", student, "--force")


def kernel_started(pid: int) -> bool:
    """Whether a descendant of ``pid`` runs a Jupyter kernel (grading is under way). Kernels
    start in sessions of their own, so they are found by their parents."""
    parents, commands = {}, {}
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit():
                stat = (proc / "stat").read_text()
                parents[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                commands[int(proc.name)] = (proc / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
    for child, command in commands.items():
        if b"ipykernel" in command or b"bwrap" in command:
            ancestor = parents.get(child)
            while ancestor and ancestor != pid:
                ancestor = parents.get(ancestor)
            if ancestor == pid:
                return True
    return False


def pages(course: Path) -> dict[str, int]:
    """student -> their feedback page's modification time."""
    return {
        p.parent.parent.name: p.stat().st_mtime_ns
        for p in (course / "feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html")
    }


LEFT_OVER = (
    "bob has an autograded/bob/reinforce/ folder but no reinforce in the gradebook (removed "
    "from it?): no feedback is made from it; if bob left the course, move autograded/bob/ and "
    "feedback/bob/ out of the course and delete .pglab/grade/*/bob.json (docs/instructor.md, "
    "a student who leaves)"
)


def test_after_a_student_leaves_feedback_and_export_leave_them_out(course):
    """bob leaves; a TA comments on ann's answer, so ann's page must be made again, by the
    same nbgrader process as bob's would be (--jobs 1). No traceback, bob's page is left as it
    was, ann's page is made once and recorded (the next run makes none), and the export does
    not ask for bob's page. Each command names bob's left-over folder in one line, until the
    rest of the documented steps are done."""
    leaves(course, "bob")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        comment = gradebook.find_comment("answer_score_function", ASSIGNMENT, ASSIGNMENT, "ann")
        comment.manual_comment = "Say where the log comes from."
        gradebook.db.commit()
    before = pages(course)

    exported = pglab(course, "export", ASSIGNMENT)
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert exported.stdout.splitlines().count(f"pglab export: {LEFT_OVER}") == 1, exported.stdout
    assert "bob" not in exported.stdout.replace(LEFT_OVER, "")
    assert "feedback: 1 page missing or older than the gradebook (ann)" in exported.stdout

    first = pglab(course, "grade", ASSIGNMENT, "--quiet", "--jobs", "1")
    second = pglab(course, "grade", ASSIGNMENT, "--quiet", "--jobs", "1")
    for run in (first, second):
        out = run.stdout + run.stderr
        assert run.returncode == 0, out
        assert "Traceback" not in out and "could not be generated" not in out, out
        assert "0 graded, 3 unchanged" in run.stdout, out
        assert run.stdout.splitlines().count(f"pglab grade: {LEFT_OVER}") == 1, out
        assert "bob" not in run.stdout.replace(LEFT_OVER, ""), out
    after = pages(course)
    assert after["bob"] == before["bob"], "bob's page was removed or made again"
    assert [s for s in CLASS if after[s] != before[s]] == ["ann"]
    assert (
        "Say where the log comes from."
        in (course / "feedback" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    )
    exported = pglab(course, "export", ASSIGNMENT)
    assert "feedback:" not in exported.stdout, exported.stdout

    # The rest of the steps docs/instructor.md gives: nothing of bob's is named any more.
    for tree in ("autograded", "feedback"):
        shutil.move(course / tree / "bob", course.parent / "left" / "bob" / tree)
    (course / ".pglab" / "grade" / ASSIGNMENT / "bob.json").unlink()
    exported = pglab(course, "export", ASSIGNMENT)
    assert exported.returncode == 0 and "bob" not in exported.stdout, exported.stdout


def test_a_forced_run_interrupted_counts_only_the_students_still_in_the_class(course):
    """bob left (his state is still in .pglab/grade/): a forced run stopped as its first
    kernel starts counts the students it did not reach among ann, cyd and dan alone."""
    leaves(course, "bob")
    state = course / ".pglab" / "grade" / ASSIGNMENT
    before = {p.stem: p.stat().st_mtime_ns for p in state.glob("*.json")}
    assert set(before) == set(CLASS)
    process = pglab_started(course, "grade", ASSIGNMENT, "--force", "--quiet", "--jobs", "1")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not kernel_started(process.pid):
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err, err
    after = {p.stem: p.stat().st_mtime_ns for p in state.glob("*.json")}
    left = [s for s in ("ann", "cyd", "dan") if after[s] == before[s]]
    assert left, "the run graded everyone before it was stopped"
    assert out.splitlines()[-1] == (
        "pglab grade: interrupted. Every notebook graded so far is saved. Run it without "
        f"--force to grade the new or changed submissions left; the {len(left)} graded before "
        "that this run did not reach keep their earlier grading (--student ID grades one "
        "again, --force everyone)."
    )


def test_a_renamed_submitted_folder_is_named_in_one_line(course):
    """submitted/cyd renamed submitted/cy: cyd keeps his grade in the exports with no file
    behind it (cy is a new student at the next grading); the export says so, and what to do."""
    (course / "submitted" / "cyd").rename(course / "submitted" / "cy")
    result = pglab(course, "export", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    said = [line for line in result.stdout.splitlines() if "cyd" in line]
    assert said == [
        "pglab export: cyd has a graded reinforce in the gradebook but nothing in "
        "submitted/cyd/reinforce/, and the exports still list that grade: if the folder was "
        "renamed, give it its old name back (the folder's name is the student id); if the "
        "student left, remove them from the gradebook (docs/instructor.md, a student who leaves)"
    ], result.stdout
    (course / "submitted" / "cy").rename(course / "submitted" / "cyd")
    assert "cyd" not in pglab(course, "export", ASSIGNMENT).stdout


def test_scan_of_an_assignment_the_course_does_not_have_says_so(graded, tmp_path):
    result = pglab(graded, "scan", "reinfroce")
    assert (result.returncode, result.stderr) == (2, ""), result.stdout + result.stderr
    assert result.stdout == (
        "pglab scan: there is no assignment reinfroce: check the name (this course has "
        "actor_critic, reinforce, rewards_to_go)\n"
    )
    # collected submissions without source/ are enough: the names handed in are known
    shutil.copytree(graded / "submitted" / "ann", tmp_path / "submitted" / "ann")
    result = pglab(tmp_path, "scan", ASSIGNMENT)
    assert (result.returncode, result.stdout) == (0, "ann: 0 flags\n"), result.stdout


def test_a_second_roster_counts_the_gradebook_and_says_who_changed(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPOSITORY / "nbgrader_config.py", course)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(
        "id,first_name,last_name,email\nada,Ada,L,\nalan,Alan,T,\nbob,Bo,B,\neve,Eve,E,\n"
    )
    second.write_text(
        "id,first_name,last_name,email\nada,Ada,L,\nalan,Alan,T,at@uni.edu\nzoe,Zoe,Z,\n"
    )
    assert pglab(course, "roster", str(first)).stdout == (
        "pglab roster: 4 students in the gradebook; from this roster 4 added (ada, alan, bob, "
        "eve), 0 updated, 0 unchanged\n"
    )
    result = pglab(course, "roster", str(second))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "pglab roster: 5 students in the gradebook; from this roster 1 added (zoe), "
        "1 updated (alan), 1 unchanged",
        "pglab roster: 2 in the gradebook but not on this roster, kept as they are: bob, eve "
        "(a student who left: docs/instructor.md)",
    ]
