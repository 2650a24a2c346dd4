"""One student can never stop, slow or corrupt the grading of a class (issue 14, the pipeline).

Each attack is graded in a class with correct classmates before and after it (student ids
sort ``a-…`` < ``m-…`` < ``z-…``, the order both graders go in), through plain
``nbgrader autograde`` and through ``pglab grade --jobs 2`` where the attack applies to both:

- ``m-schema4``, ``m-schema1``: ``nbgrader.schema_version`` 4 (or 1) on the student's own
  solution cell, with inflated points on a test cell and a made-up graded cell of their own;
- ``m-surrogate``: a kernel that sends lone surrogates (``"\\ud800"``) in a kept output and an
  exception message;
- ``m-timestamp``: a ``timestamp.txt`` that is not a date;
- a display name ``Eve_4242_assignsubmission_file_`` in a Moodle export (``pglab grade``
  only: nbgrader has no LMS import), and two uploads that claim one student;
- the ``pglab grade`` process killed with SIGKILL in the middle of a run.
"""

from __future__ import annotations

import copy
import ctypes
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from support import ASSIGNMENT, REPOSITORY, handed_in_by, pglab, without_demonstrations
from tqdm import tqdm

from pglab.course import add_submission, nbgrader_env, run_nbgrader, scores, scratch_course
from pglab.grading import GradeResult
from pglab.pipeline.discover import Found, discover
from pglab.pipeline.executors import DIED_REPEATEDLY, LocalBackend
from pglab.pipeline.run import Outcome, _grade_all
from pglab.submissions import fill, solution_code

BEFORE, AFTER = "a-before", "z-after"

SURROGATES = """\
import json as _json
_session = get_ipython().kernel.session
# JSON with ensure_ascii: a lone surrogate travels as the escape \\ud800
_session.pack = lambda message: _json.dumps(message, default=str).encode("ascii")
print("lone \\ud800 surrogate")
raise ValueError("bad \\udfff message")
"""


def _index(notebook, grade_id: str) -> int:
    return next(
        i
        for i, c in enumerate(notebook.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def _digest(course: Path) -> dict[str, bytes]:
    """What a student must never change: source/, release/ and the config."""
    files = [*sorted((course / "source").rglob("*")), *sorted((course / "release").rglob("*"))]
    files.append(course / "nbgrader_config.py")
    return {str(p.relative_to(course)): p.read_bytes() for p in files if p.is_file()}


class Course:
    def __init__(self, root: Path):
        self.course = scratch_course(REPOSITORY, root / "course", [ASSIGNMENT])
        with (self.course / "nbgrader_config.py").open("a") as config:
            config.write("\nc.Execute.timeout = 60\nc.Grading.notebook_timeout = 300\n")
        source = nbformat.read(self.course / "source" / ASSIGNMENT / "reinforce.ipynb", 4)
        release = nbformat.read(self.course / "release" / ASSIGNMENT / "reinforce.ipynb", 4)
        self.solution = without_demonstrations(fill(release, solution_code(source)))
        self.max_auto = sum(
            c.metadata["nbgrader"]["points"]
            for c in source.cells
            if c.metadata.get("nbgrader", {}).get("grade")
            and c.cell_type == "code"
            and not c.metadata["nbgrader"].get("solution")
        )
        self.before = _digest(self.course)

    def correct(self):
        return copy.deepcopy(self.solution)

    def schema(self, version: int):
        """A correct notebook whose nbgrader metadata the student edited."""
        notebook = self.correct()
        notebook.cells[_index(notebook, "log_prob")].metadata.nbgrader["schema_version"] = version
        test = notebook.cells[_index(notebook, "test_log_prob")].metadata.nbgrader
        test["points"] = 100
        own = nbformat.v4.new_code_cell("print('my own graded cell')")
        own.metadata["nbgrader"] = {
            "grade": True,
            "grade_id": "my_bonus",
            "points": 50,
            "solution": False,
            "locked": False,
            "schema_version": version,
        }
        notebook.cells.append(own)
        return notebook

    def surrogates(self):
        notebook = self.correct()
        notebook.cells.insert(
            _index(notebook, "test_log_prob") + 1, nbformat.v4.new_code_cell(SURROGATES)
        )
        return notebook

    def attacked_class(self) -> dict[str, nbformat.NotebookNode]:
        return {
            BEFORE: self.correct(),
            "m-schema4": self.schema(4),
            "m-schema1": self.schema(1),
            "m-surrogate": self.surrogates(),
            "m-timestamp": self.correct(),
            AFTER: self.correct(),
        }


def _auto(cells) -> float:
    return sum(c.score for name, c in cells.items() if name.startswith("test_"))


def _check_class(klass: Course, table, autograded: Path) -> None:
    """Classmates and the metadata/surrogate attackers all earn exactly the autograded
    maximum (their code is correct: the attack changes nothing), nobody more; the course is
    unchanged."""
    for student in (BEFORE, "m-schema4", "m-schema1", "m-surrogate", AFTER):
        assert student in table, f"{student} was not graded"
        assert _auto(table[student]) == klass.max_auto, (student, table[student])
        assert "my_bonus" not in table[student]
        assert sum(c.max_score for c in table[student].values()) == sum(
            c.max_score for c in table[BEFORE].values()
        )
    assert "m-timestamp" not in table or not table["m-timestamp"]
    notebook = nbformat.read(autograded / "m-surrogate" / ASSIGNMENT / "reinforce.ipynb", 4)
    (cell,) = [c for c in notebook.cells if c.source == SURROGATES]
    # what the kernel sent, its lone surrogates written as their escapes
    assert cell.outputs[0].text == "lone \\ud800 surrogate\n"
    assert cell.outputs[1].evalue == "bad \\udfff message"
    assert _digest(klass.course) == klass.before


@pytest.fixture(scope="module")
def nbgrader_class(tmp_path_factory):
    klass = Course(tmp_path_factory.mktemp("isolation-nbgrader"))
    for student, notebook in klass.attacked_class().items():
        add_submission(klass.course, ASSIGNMENT, student, notebook)
    stamp = klass.course / "submitted" / "m-timestamp" / ASSIGNMENT / "timestamp.txt"
    stamp.write_text("not a date at all")
    result = run_nbgrader(klass.course, "autograde", ASSIGNMENT, "--force", check=False)
    return klass, result


@pytest.fixture(scope="module")
def pglab_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("isolation-pglab")
    klass = Course(root)
    inbox = root / "inbox"
    for student, notebook in klass.attacked_class().items():
        (inbox / student).mkdir(parents=True)
        nbformat.write(notebook, inbox / student / "reinforce.ipynb")
    (inbox / "m-timestamp" / "timestamp.txt").write_text("not a date at all")
    result = pglab(klass.course, str(inbox), "--jobs", "2", "--no-feedback")
    return klass, result


@pytest.mark.pipeline
def test_nbgrader_autograde_grades_everyone_but_the_bad_timestamp(nbgrader_class):
    """Under plain nbgrader, the metadata and surrogate attacks are neutralised and the
    classmates after them graded; only the bad timestamp fails, and only for that student."""
    klass, result = nbgrader_class
    log = result.stdout + result.stderr
    assert "SchemaTooNewError" not in log and "SchemaTooOldError" not in log
    _check_class(klass, scores(klass.course, ASSIGNMENT), klass.course / "autograded")
    failed = [
        line for line in log.splitlines() if "There was an error processing assignment '" in line
    ]
    assert len(failed) == 1 and "for student 'm-timestamp'" in failed[0], failed
    assert result.returncode != 0  # nbgrader reports the failed student in its exit status


@pytest.mark.pipeline
def test_pglab_grade_grades_everyone_but_the_bad_timestamp(pglab_class):
    """Under `pglab grade --jobs 2` the same class: no broken pool, no retries charged to
    classmates, the surrogates escaped, the bad timestamp reported in plain words."""
    klass, result = pglab_class
    assert result.returncode == 0, result.stdout + result.stderr
    assert "died repeatedly" not in result.stdout
    _check_class(klass, scores(klass.course, ASSIGNMENT), klass.course / "autograded")
    assert "m-timestamp/reinforce.ipynb: not graded: its timestamp.txt" in result.stdout
    report = (klass.course / "reports" / f"{ASSIGNMENT}.html").read_text("utf-8")
    assert "m-timestamp" in report


@pytest.mark.pipeline
def test_every_known_cells_metadata_is_the_sources(tmp_path):
    """Without RestoreCellMetadata nbgrader's own check raises SchemaTooNewError on the
    attacker's notebook (which stops `nbgrader autograde` for the whole class); with it, every
    cell the source knows carries exactly the release's nbgrader metadata (and the gradebook's
    checksum), and the student's own graded cell carries none."""
    from nbgrader.nbgraderformat import SchemaTooNewError
    from nbgrader.preprocessors import CheckCellMetadata

    from pglab.grading import bundle_from_gradebook
    from pglab.pipeline.run import db_url, load_config
    from pglab.preprocessors import RestoreCellMetadata

    klass = Course(tmp_path)
    config = load_config(klass.course)
    bundle = bundle_from_gradebook(db_url(klass.course, config), ASSIGNMENT, config)
    resources = {
        "nbgrader": {"notebook": "reinforce", "assignment": ASSIGNMENT},
        "pglab": {"notebook_spec": bundle.notebooks["reinforce"]},
    }
    attacked = klass.schema(4)
    with pytest.raises(SchemaTooNewError):
        CheckCellMetadata()(copy.deepcopy(attacked), resources)
    restored, _ = RestoreCellMetadata(config=config)(attacked, resources)
    CheckCellMetadata()(restored, resources)
    release = nbformat.read(klass.course / "release" / ASSIGNMENT / "reinforce.ipynb", 4)
    # the release's metadata, with the checksum nbgrader keeps in the gradebook (of the source
    # cell, hidden tests included), which nbgrader's OverwriteCells always writes back
    checksums = {c.name: c.checksum for c in bundle.notebooks["reinforce"].source_cells}
    expected = {
        c.metadata.nbgrader["grade_id"]: {
            **c.metadata.nbgrader,
            "checksum": checksums[c.metadata.nbgrader["grade_id"]],
        }
        for c in release.cells
        if "nbgrader" in c.metadata
    }
    got = {
        c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader
        for c in restored.cells
        if "nbgrader" in c.metadata
    }
    assert got == expected
    assert "nbgrader" not in restored.cells[-1].metadata  # the student's own "graded" cell


# --- identity from the LMS's structure ------------------------------------------------------


def _put(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_a_display_name_cannot_take_a_classmates_id(tmp_path):
    """Moodle folder per submission: the id is the one Moodle appends, at the end."""
    _put(
        tmp_path,
        {
            "Bob Real_4242_assignsubmission_file_/reinforce.ipynb": b"bob",
            "Eve_4242_assignsubmission_file__5555_assignsubmission_file_/reinforce.ipynb": b"eve",
            # the uploaded file's own name imitates another classmate: not read for an id
            "Fay_6666_assignsubmission_file_/x_7777_assignsubmission_file_reinforce.ipynb": b"x",
        },
    )
    found = discover(tmp_path, ASSIGNMENT, "reinforce")
    assert found.submissions["4242"].data == b"bob"
    assert found.submissions["5555"].data == b"eve"
    assert "7777" not in found.submissions and "6666" not in found.submissions
    assert not found.conflicts


def test_hub_e_mail_usernames_keep_their_id_and_formulas_do_not_start_one(tmp_path):
    """nbgrader's ids are kept as they are: a hub whose users log in with their e-mail
    address collects into submitted/ann@uni.edu/, and the grades and the feedback must go
    to that student, not to an ann_uni.edu nbgrader has never heard of."""
    _put(
        tmp_path,
        {
            f"ann@uni.edu/{ASSIGNMENT}/reinforce.ipynb": b"ann",
            f"josé/{ASSIGNMENT}/reinforce.ipynb": b"jose",
            "bob+rl@uni.edu/reinforce.ipynb": b"bob",
            "=cmd|calc/reinforce.ipynb": b"formula",
        },
    )
    found = discover(tmp_path, ASSIGNMENT, "reinforce")
    assert {s: f.data for s, f in found.submissions.items()} == {
        "ann@uni.edu": b"ann",
        "josé": b"jose",
        "bob+rl@uni.edu": b"bob",
        "cmd_calc": b"formula",
    }


def test_an_ambiguous_flat_moodle_name_is_reported_not_guessed(tmp_path):
    _put(
        tmp_path,
        {
            "Bob Real_4242_assignsubmission_file_reinforce.ipynb": b"bob",
            "Eve_4242_assignsubmission_file__5555_assignsubmission_file_reinforce.ipynb": b"eve",
            "leeann_777_888_reinforce.ipynb": b"lee",  # Canvas
            "kim_999_111_x_777_assignsubmission_file_reinforce.ipynb": b"kim",
        },
    )
    found = discover(tmp_path, ASSIGNMENT, "reinforce")
    assert found.submissions["4242"].data == b"bob"
    assert found.submissions["777"].data == b"lee"
    assert set(found.submissions) == {"4242", "777"}
    eve = "Eve_4242_assignsubmission_file__5555_assignsubmission_file_reinforce.ipynb"
    assert "more than once" in found.skipped[eve] and "a person must check" in found.skipped[eve]


def test_two_uploads_claiming_one_student_are_a_conflict(tmp_path):
    """Neither upload is graded for that student; both are reported for a person."""
    _put(
        tmp_path,
        {
            "Bob Real_4242_assignsubmission_file_/reinforce.ipynb": b"bob",
            "Bobby_4242_assignsubmission_file_/reinforce (1).ipynb": b"impostor",
            "Ann_555_assignsubmission_file_/reinforce.ipynb": b"ann",
            "Ann_555_assignsubmission_file_/reinforce (1).ipynb": b"ann again",
        },
    )
    found = discover(tmp_path, ASSIGNMENT, "reinforce")
    assert "4242" not in found.submissions
    assert len(found.conflicts["4242"]) == 2
    for origin in found.conflicts["4242"]:
        assert found.skipped[origin].startswith("conflict: 2 uploads claim student 4242")
    # one student's own re-upload, in their own folder, is not a conflict
    assert found.submissions["555"].data == b"ann again"


@pytest.mark.pipeline
def test_a_display_name_cannot_take_a_classmates_grade(tmp_path):
    """Through `pglab grade`: the classmate keeps full marks, the impostor earns nothing, and
    a conflict keeps both uploads out of the gradebook for that student."""
    klass = Course(tmp_path)
    good = nbformat.writes(klass.correct()).encode()
    release = (klass.course / "release" / ASSIGNMENT / "reinforce.ipynb").read_bytes()
    inbox = tmp_path / "inbox"
    _put(
        inbox,
        {
            "Ann Before_1111_assignsubmission_file_/reinforce.ipynb": good,
            "Bob Real_4242_assignsubmission_file_/reinforce.ipynb": good,
            "Eve_4242_assignsubmission_file__5555_assignsubmission_file_/reinforce.ipynb": release,
            "Cy_3333_assignsubmission_file_/reinforce.ipynb": good,
            "Cyrus_3333_assignsubmission_file_/reinforce.ipynb": release,
            "Zed After_9999_assignsubmission_file_/reinforce.ipynb": good,
        },
    )
    result = pglab(klass.course, str(inbox), "--jobs", "2", "--no-feedback")
    assert result.returncode == 0, result.stdout + result.stderr
    table = scores(klass.course, ASSIGNMENT)
    for student in ("1111", "4242", "9999"):
        assert _auto(table[student]) == klass.max_auto
    assert _auto(table["5555"]) == 0
    assert "3333" not in table
    assert "conflict: 2 uploads claim student 3333" in result.stdout
    assert _digest(klass.course) == klass.before


# --- a worker that dies is charged to its own submission -------------------------------------


def fake_grade(bundle, notebook, data: bytes) -> GradeResult:
    """Stands in for ``grade`` in the pool's workers: b"die" kills the worker process."""
    if data == b"die":
        os._exit(1)
    if data == b"odd":  # a result that cannot be pickled back to the parent
        return GradeResult(None, error="odd", flags=[{"thing": lambda: None}])
    time.sleep(0.2)
    return GradeResult(None, error=f"graded {data.decode()}")


def test_a_dying_worker_is_charged_to_its_own_submission_only():
    """Four classmates around a submission that kills its worker twice and one whose result
    cannot be pickled: only those two fail, each with its own reason."""
    backend = LocalBackend(2)
    backend.function = fake_grade
    items = [("a", b"a"), ("b", b"b"), ("die", b"die"), ("odd", b"odd"), ("y", b"y"), ("z", b"z")]
    results = dict(backend.grade_each(None, "reinforce", items))
    assert results["die"].error == DIED_REPEATEDLY
    assert results["odd"].error.startswith("could not be graded: ")
    for key in ("a", "b", "y", "z"):
        assert results[key].error == f"graded {key}"


class _CountingBackend:
    """Records what it is asked to grade; each result names the bytes it was given."""

    jobs, where = 1, ""

    def __init__(self):
        self.asked: list[str] = []

    def grade_each(self, bundle, notebook, items):
        for key, data in items:
            self.asked.append(key)
            yield key, GradeResult(None, error=f"graded {data.decode()}")

    def close(self):
        pass


class _RecordingWriter:
    def __init__(self):
        self.saved: list[Outcome] = []

    def save_state(self, outcome: Outcome) -> None:
        self.saved.append(outcome)


def test_byte_identical_files_are_graded_once_and_written_for_each_student():
    """Three students hand in one file, a fourth another: the backend grades two files, and
    every student gets a result and a state of their own, each copy naming whose grading it
    shares."""
    found = [
        Found("ann", "ann/reinforce.ipynb", b"same"),
        Found("bob", "bob/reinforce.ipynb", b"other"),
        Found("cyd", "cyd/reinforce.ipynb", b"same"),
        Found("dan", "dan/reinforce.ipynb", b"same"),
    ]
    todo = [(f, hashlib.sha256(f.data).hexdigest()) for f in found]
    backend, writer, outcomes = _CountingBackend(), _RecordingWriter(), []
    bundle = SimpleNamespace(digest="bundle", parts={})
    _grade_all(todo, backend, bundle, "reinforce", writer, outcomes, tqdm(disable=True))
    assert backend.asked == ["ann", "bob"]
    assert [o.student for o in writer.saved] == ["ann", "cyd", "dan", "bob"]
    by_student = {o.student: o for o in outcomes}
    assert {s: o.error for s, o in by_student.items()} == {
        "ann": "graded same",
        "bob": "graded other",
        "cyd": "graded same",
        "dan": "graded same",
    }
    assert {s: o.identical_to for s, o in by_student.items()} == {
        "ann": "",
        "bob": "",
        "cyd": "ann",
        "dan": "ann",
    }
    assert by_student["cyd"].submission_sha256 == by_student["ann"].submission_sha256


# --- a run that is killed leaves nothing running and loses nothing ---------------------------

_SUBREAPER = """\
import ctypes, json, os, signal, subprocess, sys, time
from pathlib import Path
ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphans of the run come to us
course, state = Path(sys.argv[1]), Path(sys.argv[2])
run = subprocess.Popen(
    [sys.executable, "-m", "pglab", "grade", "reinforce", "--jobs", "2", "--quiet",
     "--no-feedback"], cwd=course, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.monotonic() + 600
while time.monotonic() < deadline and not (state.is_dir() and any(state.glob("*.json"))):
    time.sleep(0.2)
time.sleep(1.0)
os.kill(run.pid, signal.SIGKILL)
run.wait()

def children():
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
                found.append((int(entry.name), cmd))
    return found

alive, deadline = children(), time.monotonic() + 20
while alive and time.monotonic() < deadline:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
    time.sleep(0.5)
    alive = children()
print(json.dumps(alive))
for pid, _ in alive:
    os.kill(pid, signal.SIGKILL)
"""


@pytest.mark.pipeline
def test_a_killed_run_leaves_nothing_running_and_loses_nothing(tmp_path):
    """SIGKILL the `pglab grade` process after its first result: within 20 s no process of
    the run is left (workers, forkserver, kernels); what was graded is in the gradebook, and
    the next run grades only the rest."""
    klass = Course(tmp_path)
    names = ("a-before", "b", "c", "d", "z-after")
    for name in names:
        add_submission(klass.course, ASSIGNMENT, name, handed_in_by(klass.correct(), name))
    state = klass.course / ".pglab" / "grade" / ASSIGNMENT
    helper = subprocess.run(
        [sys.executable, "-c", _SUBREAPER, str(klass.course), str(state)],
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert helper.returncode == 0, helper.stderr
    assert json.loads(helper.stdout.strip().splitlines()[-1]) == []
    done = {p.stem for p in state.glob("*.json")}
    assert 1 <= len(done) < len(names)
    table = scores(klass.course, ASSIGNMENT)
    for name in done:
        assert _auto(table[name]) == klass.max_auto
    rerun = pglab(klass.course, "--jobs", "2", "--no-feedback")
    assert f"{len(names) - len(done)} graded, {len(done)} unchanged" in rerun.stdout, rerun.stdout
    table = scores(klass.course, ASSIGNMENT)
    assert all(_auto(table[name]) == klass.max_auto for name in names)
    assert _digest(klass.course) == klass.before


def test_workers_ask_to_die_with_their_parent():
    """The mechanism behind the test above, checked directly where it can be: Linux's
    PR_GET_PDEATHSIG reports SIGKILL in a worker."""
    backend = LocalBackend(1)
    backend.function = report_death_signal
    ((_, result),) = list(backend.grade_each(None, "reinforce", [("k", b"")]))
    assert result.error == str(int(signal.SIGKILL))


def report_death_signal(bundle, notebook, data) -> GradeResult:
    value = ctypes.c_int()
    ctypes.CDLL(None).prctl(2, ctypes.byref(value))  # PR_GET_PDEATHSIG
    return GradeResult(None, error=str(value.value))


# --- the parent's write: one bad result never stops the others -------------------------------


def test_a_result_that_cannot_be_written_fails_that_student_only(tmp_path):
    """`_grade_all` with a writer that fails on one student (as nbformat.write did on lone
    surrogates, and nbgrader on a timestamp that is not a date): the classmates after it are
    written, the one is "could not be graded" with the reason, its partial file removed."""
    from types import SimpleNamespace

    from pglab.grading import CellResult
    from pglab.pipeline.discover import Found
    from pglab.pipeline.run import _grade_all

    class Writer:
        def __init__(self):
            self.written, self.states = [], {}

        def _path(self, tree, student):
            return tmp_path / tree / student / "reinforce.ipynb"

        def write_graded(self, found, result):
            path = self._path("autograded", found.student)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("partial")
            if found.student == "m-bad":
                "\ud800".encode()  # UnicodeEncodeError: surrogates not allowed
            self.written.append(found.student)

        def save_state(self, outcome):
            self.states[outcome.student] = outcome

    class Backend:
        def grade_each(self, bundle, notebook, items):
            for key, _ in items:
                yield key, GradeResult("{}", [CellResult("test_x", 1.0, 1.0, True, "")])

    students = ["a-before", "m-bad", "z-after"]
    todo = [(Found(s, f"{s}/reinforce.ipynb", b"{}"), "sha") for s in students]
    writer, outcomes = Writer(), []
    bar = SimpleNamespace(update=lambda n: None, set_postfix_str=lambda s: None)
    bundle = SimpleNamespace(digest="d", parts={})
    _grade_all(todo, Backend(), bundle, "reinforce", writer, outcomes, bar)
    assert writer.written == ["a-before", "z-after"]
    status = {o.student: o.status for o in outcomes}
    assert status == {"a-before": "graded", "m-bad": "failed", "z-after": "graded"}
    bad = writer.states["m-bad"]
    assert bad.error.startswith("could not be graded: saving its result failed (UnicodeEncodeError")
    assert not writer._path("autograded", "m-bad").exists()
