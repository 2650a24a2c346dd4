"""`pglab release` keeps the course as it was unless it completes: release/, solutions/ and
the gradebook (nbgrader's generate_assignment writes the assignment's cells and points there
before the solution is made), when the solution raises or the release is interrupted; its
`--check` notices a gradebook that holds other points than source/; and its regrade note
counts only the students who still have a submission.

The commands run as an instructor runs them (the installed ``pglab`` script) in scratch
courses nobody graded: the state of earlier gradings is written the way `pglab grade` keeps
it. Their source is the lesson without its demonstrations (support.without_demonstrations),
so that each solution runs in seconds."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from support import ASSIGNMENT, REPOSITORY, pglab_script, pglab_started, without_demonstrations

from pglab.course import run_nbgrader, scratch_course

pytestmark = pytest.mark.pipeline

NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def _course(destination: Path) -> Path:
    """A course with reinforce in its gradebook, release/ and a published solutions/."""
    course = scratch_course(REPOSITORY, destination, [ASSIGNMENT])
    source = course / "source" / ASSIGNMENT / NOTEBOOK
    nbformat.write(without_demonstrations(nbformat.read(source, as_version=4)), source)
    (course / "solutions" / ASSIGNMENT).mkdir(parents=True)
    (course / "solutions" / ASSIGNMENT / NOTEBOOK).write_text("the published solution")
    return course


def _edit_source(course: Path, points: float | None = None, typo: bool = False) -> None:
    """test_log_prob worth POINTS (2 as released); with TYPO, log_prob's solution raises."""
    path = course / "source" / ASSIGNMENT / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "test_log_prob" and points is not None:
            cell.metadata.nbgrader["points"] = points
        if grade_id == "log_prob" and typo:
            line = "    actions = np.asarray(actions)\n"
            assert line in cell.source
            cell.source = cell.source.replace(line, "    undefined_name_typo\n" + line)
    nbformat.write(notebook, path)


def _gradebook(course: Path) -> str:
    """Everything the gradebook holds, as SQL."""
    with sqlite3.connect(course / "gradebook.db") as connection:
        return "\n".join(connection.iterdump())


def _points(course: Path) -> float:
    """test_log_prob's points in the gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_grade_cell("test_log_prob", NOTEBOOK[:-6], ASSIGNMENT).max_score


def _trees(course: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(course)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for tree in ("release", "solutions")
        for p in sorted((course / tree).rglob("*"))
    }


def test_a_solution_that_raises_is_not_released_and_the_gradebook_is_kept(tmp_path):
    """A typo in log_prob's solution with test_log_prob's points changed: the release stops
    before anything is kept, in one line naming the cell and the error; release/, solutions/
    and the gradebook (which nbgrader had already given the new points) are as they were."""
    course = _course(tmp_path / "course")
    _edit_source(course, points=4, typo=True)
    before, gradebook = _trees(course), _gradebook(course)
    result = pglab_script(course, "release", ASSIGNMENT)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 1, output
    assert output == (
        "pglab release: the solution fails in cell log_prob, called from cell test_log_prob: "
        "NameError: name 'undefined_name_typo' is not defined; nothing was changed."
    )
    assert _trees(course) == before
    assert _points(course) == 2
    assert _gradebook(course) == gradebook


def _session(leader: int) -> dict[int, str]:
    """pid -> command line of every process in the session ``leader`` started."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[3]) == leader:  # field 6: the session id
            found[int(entry.name)] = command
    return found


def test_an_interrupted_release_leaves_the_gradebook_as_it_was(tmp_path):
    """Ctrl-C while nbgrader makes the solution, after generate_assignment wrote the new
    points into the gradebook: release/, solutions/ and the gradebook are put back, and the
    command says so."""
    course = _course(tmp_path / "course")
    _edit_source(course, points=4)
    before, gradebook = _trees(course), _gradebook(course)
    release = pglab_started(course, "release", ASSIGNMENT)
    try:
        deadline = time.monotonic() + 300
        while not any("generate_solution" in c for c in _session(release.pid).values()):
            assert release.poll() is None, release.communicate()
            assert time.monotonic() < deadline, "generate_solution never started"
            time.sleep(0.1)
        os.killpg(release.pid, signal.SIGINT)  # Ctrl-C in the instructor's terminal
        stdout, stderr = release.communicate(timeout=300)
    finally:
        for pid in _session(release.pid):
            os.kill(pid, signal.SIGKILL)
        release.wait(timeout=60)
    assert release.returncode == 130, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert stdout.strip() == (
        "pglab release: interrupted; release/reinforce, solutions/reinforce and the gradebook "
        "are left as they were."
    )
    assert _trees(course) == before
    assert _points(course) == 2
    assert _gradebook(course) == gradebook


#: Students pglab grade graded (or failed) before the release, each with the source then,
#: and whether their folder is still in submitted/: dan's was renamed, eve left (her folder
#: moved out, then removed from the gradebook).
GRADED = {
    "ann": ("graded", True),
    "bob": ("unchanged", True),
    "cyd": ("graded", True),
    "dan": ("graded", False),
    "eve": ("graded", False),
    "fay": ("failed", True),
}


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> tuple[Path, str]:
    """A course graded earlier (its state files), released again with test_log_prob worth 3:
    the course and what `pglab release` printed."""
    course = _course(tmp_path_factory.mktemp("released") / "course")
    state = course / ".pglab" / "grade" / ASSIGNMENT
    state.mkdir(parents=True)
    for student, (status, submitted) in GRADED.items():
        if submitted or student == "dan":
            folder = student if submitted else f"{student}-renamed"
            (course / "submitted" / folder / ASSIGNMENT).mkdir(parents=True)
        parts = {"source": "0" * 16, "config": "c", "pglab": "v"}
        outcome = {"student": student, "origin": f"submitted/{student}", "status": status}
        (state / f"{student}.json").write_text(json.dumps({**outcome, "bundle_parts": parts}))
    _edit_source(course, points=3)
    result = pglab_script(course, "release", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    return course, result.stdout


def test_the_regrade_note_counts_only_students_who_still_have_a_submission(released):
    """Six state files, four students with a folder in submitted/, three of them graded with
    the previous source (the fourth could not be graded): three will be graded again, not
    five."""
    course, stdout = released
    assert (
        "note: 3 submission(s) of reinforce were graded with the previous source or points: "
        "the next `pglab grade reinforce` grades them again against this one"
    ) in stdout, stdout


def test_release_check_notices_a_gradebook_with_other_points_than_source(released, tmp_path):
    """After a complete release everything is in sync; once the gradebook holds other points
    (a generate_assignment of an edited source, the source then put back), `--check` says
    that the gradebook is out of sync, and nothing else is."""
    course = tmp_path / "course"
    shutil.copytree(released[0], course)
    result = pglab_script(course, "release", "--check", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "in sync with source/" in result.stdout
    source = course / "source" / ASSIGNMENT / NOTEBOOK
    kept = source.read_bytes()
    shutil.copytree(course / "release", tmp_path / "release")
    _edit_source(course, points=5)
    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")  # writes release/ too
    source.write_bytes(kept)
    shutil.rmtree(course / "release")
    shutil.copytree(tmp_path / "release", course / "release")
    assert _points(course) == 5
    result = pglab_script(course, "release", "--check", ASSIGNMENT)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{course / 'gradebook.db'}: holds other cells or points of reinforce than source/ "
        "(`pglab grade reinforce` grades against those)",
        "release/, solutions/ or the gradebook is out of sync with source/: run `pglab release`",
    ]


def _toy_gradebook(path: Path, manual_score: float | None) -> None:
    """The two tables a TA writes in formgrader, with one grade and one comment."""
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS grade (id TEXT, manual_score FLOAT, extra_credit FLOAT, "
            "needs_manual_grade BOOLEAN)"
        )
        connection.execute("CREATE TABLE IF NOT EXISTS comment (id TEXT, manual_comment TEXT)")
        connection.execute("DELETE FROM grade")
        connection.execute("INSERT INTO grade VALUES ('g1', ?, NULL, 1)", (manual_score,))
        connection.execute("INSERT OR REPLACE INTO comment VALUES ('c1', NULL)")


def test_a_release_that_fails_keeps_a_grade_a_ta_saved_meanwhile(tmp_path):
    """Formgrader does not take the course lock: a TA's grade saved while the release ran is
    not overwritten by the copy made before it; the release says the gradebook was left as
    it is. Without such a grade the copy is put back (what nbgrader wrote is undone)."""
    from pglab.cli.release import GradebookBackup

    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    _toy_gradebook(course / "gradebook.db", None)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    backup = GradebookBackup(course, scratch)
    with sqlite3.connect(course / "gradebook.db") as connection:  # nbgrader's release
        connection.execute("CREATE TABLE assignment (id TEXT)")
    assert backup.restore() == ""
    with sqlite3.connect(course / "gradebook.db") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "assignment" not in tables

    backup = GradebookBackup(course, scratch)
    _toy_gradebook(course / "gradebook.db", 1.5)  # a TA grades meanwhile
    problem = backup.restore()
    assert "a TA's grade or comment was saved in it meanwhile" in problem
    with sqlite3.connect(course / "gradebook.db") as connection:
        assert connection.execute("SELECT manual_score FROM grade").fetchall() == [(1.5,)]
