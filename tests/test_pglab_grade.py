"""`pglab grade` through the real command: bad inputs, LMS exports, resumability, outputs."""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import signal
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from support import (
    ASSIGNMENT,
    REPOSITORY,
    autograded_points,
    handed_in_by,
    pglab,
    pglab_started,
    without_demonstrations,
)

from pglab.course import add_submission, scores, scratch_course
from pglab.submissions import fill, solution_code

pytestmark = pytest.mark.pipeline
AUTOGRADED_MAX = autograded_points()
#: The cells the deleted_cell student deleted.
DELETED_CELLS = ("test_log_prob", "answer_variance", "answer_leave_one_out")


def _cell_index(notebook, grade_id: str) -> int:
    return next(
        i
        for i, c in enumerate(notebook.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


class Class:
    """A scratch course and helpers to build the notebooks students hand in."""

    def __init__(self, root: Path):
        self.course = scratch_course(REPOSITORY, root / "course", [ASSIGNMENT])
        with (self.course / "nbgrader_config.py").open("a") as config:
            config.write("\nc.Execute.timeout = 60\nc.Grading.notebook_timeout = 40\n")
        source = nbformat.read(self.course / "source" / ASSIGNMENT / "reinforce.ipynb", 4)
        self.release = nbformat.read(self.course / "release" / ASSIGNMENT / "reinforce.ipynb", 4)
        # the pipeline around grading is the subject here, not the lesson's demonstrations
        self.solution = without_demonstrations(fill(self.release, solution_code(source)))

    def correct(self) -> nbformat.NotebookNode:
        return copy.deepcopy(self.solution)

    def with_cell_after(self, grade_id: str, code: str) -> nbformat.NotebookNode:
        notebook = self.correct()
        notebook.cells.insert(_cell_index(notebook, grade_id) + 1, nbformat.v4.new_code_cell(code))
        return notebook


def _bytes(notebook) -> bytes:
    return nbformat.writes(notebook).encode()


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory):
    """One run of `pglab grade` over a folder holding every kind of bad input at once."""
    root = tmp_path_factory.mktemp("bad-inputs")
    klass = Class(root)
    folder = root / "inbox"
    folder.mkdir()

    def put(name: str, data: bytes) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    good = _bytes(klass.correct())
    put("good/reinforce.ipynb", good)
    put("invalid_json/reinforce.ipynb", b'{"cells": [ this is not json')
    put("empty/reinforce.ipynb", b"")
    put("truncated/reinforce.ipynb", good[: len(good) // 2])
    put("not_a_notebook/reinforce.ipynb", b'{"hello": "world"}')
    put("smithjohn_12345_67890_reinforce (1).ipynb", good)  # Canvas, renamed by the LMS
    put("Ann Lee_555_assignsubmission_file_/reinforce-2.ipynb", good)  # Moodle folder
    put("stray.ipynb", good)  # nobody's
    deleted = klass.correct()
    # a test cell, and two written answers' cells, which follow read-only question cells
    for grade_id in DELETED_CELLS:
        del deleted.cells[_cell_index(deleted, grade_id)]
    # and an answer typed in a cell of its own below its cell, which is left as given
    below = _cell_index(deleted, "answer_optimal_baseline") + 1
    deleted.cells.insert(below, nbformat.v4.new_markdown_cell("b* = E[g^2 R] / E[g^2]"))
    put("deleted_cell/reinforce.ipynb", _bytes(deleted))
    duplicated = klass.correct()
    index = _cell_index(duplicated, "test_grad_log_prob")
    duplicated.cells.insert(index, copy.deepcopy(duplicated.cells[index]))
    put("duplicated_cell/reinforce.ipynb", _bytes(duplicated))
    reordered = klass.correct()
    a, b = (
        _cell_index(reordered, "test_expected_reward"),
        _cell_index(reordered, "test_leave_one_out"),
    )
    reordered.cells[a], reordered.cells[b] = reordered.cells[b], reordered.cells[a]
    put("reordered_cells/reinforce.ipynb", _bytes(reordered))
    retyped = klass.correct()
    cell = retyped.cells[_cell_index(retyped, "test_analytic_gradient")]
    retyped.cells[_cell_index(retyped, "test_analytic_gradient")] = nbformat.v4.new_markdown_cell(
        cell.source, metadata=cell.metadata
    )
    put("retyped_cell/reinforce.ipynb", _bytes(retyped))
    put("nbformat3/reinforce.ipynb", nbformat.writes(nbformat.convert(klass.correct(), 3)).encode())
    put("two_notebooks/reinforce.ipynb", _bytes(klass.release))
    put("two_notebooks/reinforce (2).ipynb", good)
    (folder / "two_notebooks" / "timestamp.txt").unlink(missing_ok=True)
    huge = klass.correct()
    huge.cells.append(nbformat.v4.new_code_cell("print('x')"))
    huge.cells[-1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="x" * 30_000_000)
    ]
    put("huge_outputs/reinforce.ipynb", _bytes(huge))
    put(
        "dies/reinforce.ipynb",
        _bytes(klass.with_cell_after("test_analytic_gradient", "import os\nos._exit(1)")),
    )
    put(
        "never_returns/reinforce.ipynb",
        _bytes(klass.with_cell_after("test_analytic_gradient", "import time\ntime.sleep(10**6)")),
    )
    result = pglab(klass.course, str(folder), "--jobs", "2", "--no-feedback")
    assert result.returncode == 0, result.stdout + result.stderr
    return klass.course, result.stdout, scores(klass.course, ASSIGNMENT)


def _auto(cells) -> float:
    return sum(c.score for name, c in cells.items() if name.startswith("test_"))


@pytest.mark.parametrize(
    "student",
    [
        "good",
        "deleted_cell",
        "duplicated_cell",
        "reordered_cells",
        "retyped_cell",
        "nbformat3",
        "12345",
        "555",
        "two_notebooks",
        "huge_outputs",
    ],
)
def test_repairable_submissions_earn_full_marks(bad_inputs, student):
    """Renamed, restructured, old-format or bloated notebooks of a correct solution are repaired
    from source (as nbgrader's add_missing_cells does) and earn every autograded point."""
    _, _, table = bad_inputs
    assert _auto(table[student]) == AUTOGRADED_MAX


def test_deleted_graded_cells_come_back_where_the_source_has_them(bad_inputs):
    """Every deleted graded cell is restored right after the source cell before it (a written
    answer after its question's read-only cell), and the answers go to a TA."""
    course, _, table = bad_inputs
    path = course / "autograded" / "deleted_cell" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nbformat.read(path, 4).cells]
    source = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    order = [c.metadata.get("nbgrader", {}).get("grade_id") for c in source.cells]
    for grade_id in DELETED_CELLS:
        assert ids.index(grade_id) == ids.index(order[order.index(grade_id) - 1]) + 1
    assert table["deleted_cell"]["answer_variance"].needs_manual_grade


def test_an_answer_typed_in_an_added_cell_is_named_for_a_ta(bad_inputs):
    _, stdout, table = bad_inputs
    assert (
        "  deleted_cell: answer_optimal_baseline left as given; the answer seems typed in "
        "cells added next to it: for a TA"
    ) in stdout.splitlines(), stdout
    assert table["deleted_cell"]["answer_optimal_baseline"].needs_manual_grade


@pytest.mark.parametrize(
    "student, reason",
    [
        ("invalid_json", "not valid notebook JSON"),
        ("empty", "the file is empty"),
        ("truncated", "not valid notebook JSON"),
        ("not_a_notebook", "not a Jupyter notebook"),
    ],
)
def test_unreadable_files_get_a_clear_message_and_no_grade(bad_inputs, student, reason):
    """An unreadable file is reported with a reason a person can act on; nothing is recorded
    for that student and everyone else is graded."""
    course, stdout, table = bad_inputs
    lines = [line for line in stdout.splitlines() if f"could not grade {student} (" in line]
    assert len(lines) == 1 and reason in lines[0], stdout
    assert student not in table
    report = (course / "reports" / f"{ASSIGNMENT}.html").read_text()
    rows = [row for row in report.split("<tr>") if f"<td>{student}</td>" in row]
    assert len(rows) == 1 and reason in rows[0], rows


def test_unmapped_and_duplicate_files_are_reported(bad_inputs):
    """A file that names no student, and a student's older second notebook, are listed."""
    _, stdout, _ = bad_inputs
    assert "not used: stray.ipynb: could not tell which student" in stdout
    assert "two_notebooks/reinforce.ipynb: two_notebooks has several" in stdout


def test_a_dying_kernel_keeps_the_points_earned_before_it_died(bad_inputs):
    """os._exit in a student cell fails the cells after it, and only those."""
    _, _, table = bad_inputs
    cells = table["dies"]
    kept = {"test_log_prob", "test_grad_log_prob", "test_expected_reward", "test_analytic_gradient"}
    assert {n for n, c in cells.items() if n.startswith("test_") and c.score == c.max_score} == kept


def test_a_cell_that_never_returns_is_stopped_and_finished_cells_keep_their_points(bad_inputs):
    """A cell that sleeps forever runs into the notebook's time limit: it is stopped, later cells
    are not run, and the cells that finished before it keep their points."""
    _, _, table = bad_inputs
    cells = table["never_returns"]
    kept = {"test_log_prob", "test_grad_log_prob", "test_expected_reward", "test_analytic_gradient"}
    assert {n for n, c in cells.items() if n.startswith("test_") and c.score == c.max_score} == kept


def test_outputs_are_written(bad_inputs):
    """Grades CSV with nbgrader's columns, a Canvas CSV, and a static report."""
    course, _, _ = bad_inputs
    with (course / "exports" / "grades.csv").open() as handle:
        header = next(csv.reader(handle))
    assert header[:4] == ["assignment", "duedate", "timestamp", "student_id"]
    canvas = (course / "exports" / f"{ASSIGNMENT}-canvas.csv").read_text().splitlines()
    assert canvas[0].startswith("Student,ID,SIS User ID,SIS Login ID,Section")
    assert any(line.startswith("12345,12345,") for line in canvas)
    report = (course / "reports" / f"{ASSIGNMENT}.html").read_text()
    for section in (
        "Scores",
        "Pass rate per check",
        "Most frequent misconceptions",
        "Could not be graded",
        "Time per submission",
    ):
        assert section in report


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    """ann and cyd hand in the same correct file, bob a wrong one; graded once by `pglab
    grade`: (the class, that run's output, its class report)."""
    root = tmp_path_factory.mktemp("resume")
    klass = Class(root)
    wrong = klass.correct()
    wrong.cells[_cell_index(wrong, "grad_log_prob")].source = (
        "def grad_log_prob(theta, actions):\n"
        "    return sigmoid(theta) - np.asarray(actions, dtype=float)\n"
    )
    for name, notebook in (("ann", klass.correct()), ("bob", wrong), ("cyd", klass.correct())):
        path = klass.course / "submitted" / name / ASSIGNMENT / "reinforce.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(notebook, path)
    first = pglab(klass.course, "--jobs", "2", "--no-feedback")
    report = (klass.course / "reports" / f"{ASSIGNMENT}.html").read_text()
    return klass, first, report


def test_identical_files_are_graded_once_and_listed_for_the_ta(small_class):
    """cyd's file is byte for byte ann's: it is graded once, both get its full marks and
    their own autograded notebook, and the report lists them together."""
    klass, first, report = small_class
    assert first.returncode == 0, first.stdout + first.stderr
    assert "1 byte-identical to another student's file, graded once with it: cyd (as ann)" in (
        first.stdout
    )
    state = klass.course / ".pglab" / "grade" / ASSIGNMENT
    ann, cyd = (json.loads((state / f"{s}.json").read_text()) for s in ("ann", "cyd"))
    assert cyd["identical_to"] == "ann" and ann["identical_to"] == ""
    assert "execute" in ann["timings"] and "execute" not in cyd["timings"]
    assert cyd["cells"] == ann["cells"] and cyd["score"] == ann["score"]
    for student in ("ann", "cyd"):
        assert (klass.course / "autograded" / student / ASSIGNMENT / "reinforce.ipynb").is_file()
    assert '<h2 id="identical">Identical files</h2>' in report
    assert (
        "<td>ann, cyd</td>" in report
        and "bob" not in report.split('id="identical"')[1].split("<h2")[0]
    )


def test_second_run_regrades_only_new_or_changed_submissions(small_class):
    """Run twice: nothing is regraded. Change one file: only that one is."""
    klass, first, _ = small_class
    course = klass.course
    assert first.returncode == 0 and "3 graded, 0 unchanged" in first.stdout, first.stdout
    table = scores(course, ASSIGNMENT)
    assert _auto(table["ann"]) == AUTOGRADED_MAX and _auto(table["bob"]) < AUTOGRADED_MAX
    assert _auto(table["cyd"]) == AUTOGRADED_MAX
    second = pglab(course, "--jobs", "2", "--no-feedback")
    assert "0 graded, 3 unchanged" in second.stdout, second.stdout
    nbformat.write(klass.correct(), course / "submitted" / "bob" / ASSIGNMENT / "reinforce.ipynb")
    third = pglab(course, "--jobs", "2", "--no-feedback")
    assert "1 graded, 2 unchanged" in third.stdout, third.stdout
    assert _auto(scores(course, ASSIGNMENT)["bob"]) == AUTOGRADED_MAX


def test_an_interrupted_run_loses_nothing_already_graded(tmp_path):
    """Stop a run after its first result: the next run grades only what was left."""
    klass = Class(tmp_path)
    course = klass.course
    for name in ("dee", "eve", "fay", "gus"):
        path = course / "submitted" / name / ASSIGNMENT / "reinforce.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(handed_in_by(klass.correct(), name), path)
    process = pglab_started(course, "grade", ASSIGNMENT, "--jobs", "1", "--quiet", "--no-feedback")
    state = course / ".pglab" / "grade" / ASSIGNMENT
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (state.is_dir() and any(state.glob("*.json"))):
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=120)
    done = {p.stem for p in state.glob("*.json")}
    assert 1 <= len(done) < 4
    for name in done:
        assert json.loads((state / f"{name}.json").read_text())["status"] == "graded"
    rerun = pglab(course, "--jobs", "2", "--no-feedback")
    assert f"{4 - len(done)} graded, {len(done)} unchanged" in rerun.stdout, rerun.stdout
    assert all(_auto(c) == AUTOGRADED_MAX for c in scores(course, ASSIGNMENT).values())


def test_lms_zip_export(tmp_path):
    """A Canvas-style zip: files map to Canvas user ids; the Canvas CSV uses them."""
    klass = Class(tmp_path)
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("leeann_777_888_reinforce.ipynb", _bytes(klass.correct()))
        bundle.writestr("kimbo_LATE_999_111_reinforce (1).ipynb", _bytes(klass.release))
        bundle.writestr("__MACOSX/._junk", b"junk")
        bundle.writestr("readme.txt", b"not a notebook")
    result = pglab(klass.course, str(archive), "--jobs", "2", "--no-feedback")
    assert result.returncode == 0, result.stdout + result.stderr
    table = scores(klass.course, ASSIGNMENT)
    assert _auto(table["777"]) == AUTOGRADED_MAX and _auto(table["999"]) == 0
    canvas = (klass.course / "exports" / f"{ASSIGNMENT}-canvas.csv").read_text()
    assert "777,777,,,,19" in canvas  # no roster: Canvas's SIS ids are not known, left empty


def test_refuses_without_sandbox_unless_told(tmp_path):
    """Where bubblewrap cannot run, grading refuses and says what to install."""
    klass = Class(tmp_path)
    with (klass.course / "nbgrader_config.py").open("a") as config:
        config.write("\nc.Sandbox.bwrap = '/nonexistent/bwrap'\n")
    add_submission(klass.course, ASSIGNMENT, "ada", klass.correct())
    result = pglab(klass.course, "--no-feedback")
    assert result.returncode == 2
    assert "bubblewrap" in result.stdout


def test_the_submitted_tree_is_graded_in_place_and_nothing_handed_in_is_lost(tmp_path):
    """In the course's own submitted/, only nbgrader's path is graded: a stray copy beside it
    and a folder whose name is not an id are reported and left as they are (grading writes
    back to that path). A file graded from another folder that differs from the one in
    submitted/ replaces it only after the earlier file and its time are kept aside. A file
    handed in but not graded (a timestamp that is not a date) is "could not be graded" in the
    exports, with an empty Canvas cell, never "not submitted" or 0, until the instructor
    removes it from submitted/."""
    klass = Class(tmp_path)
    course = klass.course
    correct, blank = _bytes(klass.correct()), _bytes(klass.release)

    def hand_in(folder: str, name: str, data: bytes, stamp: str | None = None) -> Path:
        path = course / "submitted" / folder / ASSIGNMENT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if stamp:
            (path.parent / "timestamp.txt").write_text(stamp)
        return path

    kat = hand_in("kat", "reinforce.ipynb", correct)
    stray = hand_in("kat", "reinforce 2.ipynb", blank)
    odd = hand_in("bo lee", "reinforce.ipynb", correct)
    alan = hand_in("alan", "reinforce.ipynb", blank, "2026-01-01 10:00:00 UTC")
    hand_in("zed", "reinforce.ipynb", correct, "yesterday-ish")

    first = pglab(course, "--jobs", "2", "--no-feedback")
    assert first.returncode == 0, first.stdout + first.stderr
    assert kat.read_bytes() == correct and stray.read_bytes() == blank
    assert odd.read_bytes() == correct and not (course / "submitted" / "bo_lee").exists()
    assert "not used: kat/reinforce/reinforce 2.ipynb: not graded, and left as it is" in (
        first.stdout
    )
    assert "not used: bo lee/reinforce/reinforce.ipynb: not graded, and left as it is" in (
        first.stdout
    )
    table = scores(course, ASSIGNMENT)
    assert _auto(table["kat"]) == AUTOGRADED_MAX and _auto(table["alan"]) == 0
    with (course / "exports" / f"{ASSIGNMENT}-grades.csv").open() as handle:
        status = {row["student_id"]: row["status"] for row in csv.DictReader(handle)}
    assert status["zed"] == "could not be graded: its timestamp.txt is not a date and time"
    canvas = (course / "exports" / f"{ASSIGNMENT}-canvas.csv").read_text().splitlines()
    assert "zed,,,zed,," in canvas

    shutil.rmtree(course / "submitted" / "zed")  # the instructor withdraws zed's file
    again = pglab(course, "--jobs", "2", "--no-feedback")
    assert "0 graded, 2 unchanged" in again.stdout and "conflict" not in again.stdout, again.stdout
    assert "zed: nothing of theirs is left in submitted/reinforce/" in again.stdout
    with (course / "exports" / f"{ASSIGNMENT}-grades.csv").open() as handle:
        assert "zed" not in {row["student_id"] for row in csv.DictReader(handle)}

    inbox = tmp_path / "inbox" / "alan"
    inbox.mkdir(parents=True)
    (inbox / "reinforce.ipynb").write_bytes(correct)
    imported = pglab(course, str(inbox.parent), "--jobs", "2", "--no-feedback")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "alan: alan/reinforce.ipynb replaced a different file in submitted/" in imported.stdout
    assert alan.read_bytes() == correct and not (alan.parent / "timestamp.txt").exists()
    (kept,) = (course / ".pglab" / "replaced" / ASSIGNMENT / "alan").iterdir()
    assert (kept / "reinforce.ipynb").read_bytes() == blank
    assert (kept / "timestamp.txt").read_text() == "2026-01-01 10:00:00 UTC"
    assert _auto(scores(course, ASSIGNMENT)["alan"]) == AUTOGRADED_MAX
    with (course / "exports" / f"{ASSIGNMENT}-grades.csv").open() as handle:
        alan_row = next(r for r in csv.DictReader(handle) if r["student_id"] == "alan")
    assert alan_row["timestamp"] == "" and alan_row["status"] == "graded"
