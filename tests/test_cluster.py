"""`pglab grade --scheduler` on a real Dask scheduler and workers started on 127.0.0.1 here.

Each worker runs in an empty directory of its own (its cwd and --local-directory), so
nothing can lean on the course directory. Every process a test starts is killed, with its
process group, when the test ends.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from support import ASSIGNMENT, handed_in_by, interruptible, pglab
from test_pglab_grade import AUTOGRADED_MAX, Class, _auto, _cell_index

from pglab.course import nbgrader_env, scores
from pglab.pipeline.executors import DIED_REPEATEDLY

pytestmark = pytest.mark.pipeline
distributed = pytest.importorskip("distributed")


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)


class DaskCluster:
    """A `dask scheduler` and its `dask worker`s, each in its own process group."""

    def __init__(self, root: Path, tls: dict[str, str] | None = None):
        self.root, self.tls = root, tls
        self.processes: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.address = ""
        self.env = nbgrader_env()
        # A task whose worker dies twice is given up (Dask's default allows 3 deaths).
        self.env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = "1"
        # One task per worker thread at a time (docs/scale-out.md): a dying worker then
        # counts against the submission it was grading only, not one queued behind it.
        self.env["DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION"] = "1.0"

    def _tls_args(self) -> list[str]:
        if not self.tls:
            return []
        return ["--tls-ca-file", self.tls["ca"], "--tls-cert", self.tls["cert"],
                "--tls-key", self.tls["key"]]  # fmt: skip

    def _start(self, name: str, command: list[str], cwd: Path) -> subprocess.Popen:
        log = (self.root / f"{name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "dask", *command],
            cwd=cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def start_scheduler(self) -> None:
        info = self.root / "scheduler.json"
        protocol = ["--protocol", "tls"] if self.tls else []
        self._start(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", "0", *protocol,
             "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(info),
             *self._tls_args()],
            self.root,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while not info.is_file() or not info.read_text().strip():
            assert time.monotonic() < deadline, (self.root / "scheduler.log").read_text()
            time.sleep(0.2)
        self.address = json.loads(info.read_text())["address"]
        assert self.address.split("://")[1].startswith("127.0.0.1:"), self.address

    def start_worker(self, preload: Path | None = None) -> subprocess.Popen:
        index = len(self.workers)
        home = self.root / f"worker{index}"
        home.mkdir()
        extra = ["--preload", str(preload)] if preload else []
        worker = self._start(
            f"worker{index}",
            ["worker", self.address, "--nthreads", "1", "--nworkers", "1",
             "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(home),
             "--name", f"w{index}", *extra, *self._tls_args()],
            home,
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def security(self):
        if not self.tls:
            return None
        return distributed.Security(
            tls_ca_file=self.tls["ca"],
            tls_client_cert=self.tls["cert"],
            tls_client_key=self.tls["key"],
            require_encryption=True,
        )

    def wait_for_workers(self, count: int) -> None:
        with distributed.Client(self.address, security=self.security(), timeout=60) as client:
            client.wait_for_workers(count, timeout=180)

    def stop(self) -> None:
        for process in reversed(self.processes):
            _kill(process)


@contextmanager
def dask_cluster(root: Path, workers: int = 2, tls=None, preload: Path | None = None):
    root.mkdir(parents=True, exist_ok=True)
    cluster = DaskCluster(root, tls)
    try:
        cluster.start_scheduler()
        for _ in range(workers):
            cluster.start_worker(preload)
        cluster.wait_for_workers(workers)
        yield cluster
    finally:
        cluster.stop()


def _class(root: Path) -> Class:
    """test_pglab_grade's class with the default whole-notebook deadline: these tests check
    grades, and a loaded machine must not stop a correct notebook in one run and not another
    (test_pglab_grade's short deadline exists for its sleeping student)."""
    klass = Class(root)
    with (klass.course / "nbgrader_config.py").open("a") as config:
        config.write("\nc.Grading.notebook_timeout = 900\n")
    return klass


def _put(course: Path, student: str, data: bytes) -> None:
    path = course / "submitted" / student / ASSIGNMENT / "reinforce.ipynb"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)


def _wrong(klass: Class) -> nbformat.NotebookNode:
    notebook = klass.correct()
    notebook.cells[_cell_index(notebook, "grad_log_prob")].source = (
        "def grad_log_prob(theta, actions):\n"
        "    return sigmoid(theta) - np.asarray(actions, dtype=float)\n"
    )
    return notebook


def _files(course: Path, tree: str) -> dict[str, bytes]:
    base = course / tree
    files = sorted(p for p in base.rglob("*") if p.is_file())
    return {str(p.relative_to(base)): p.read_bytes() for p in files}


def _first_difference(tree: str, name: str, ours: dict, theirs: dict) -> str:
    """Where the two files part, as text lines: a readable message, not two byte dumps."""
    import difflib

    local = ours[name].decode(errors="replace").splitlines()
    remote = theirs[name].decode(errors="replace").splitlines()
    diff = list(difflib.unified_diff(local, remote, "local pool", "Dask", n=2, lineterm=""))
    return f"{tree}/{name} differs:\n" + "\n".join(line[:200] for line in diff[:40])


def _states(course: Path) -> dict[str, dict]:
    state = course / ".pglab" / "grade" / ASSIGNMENT
    return {p.stem: json.loads(p.read_text()) for p in sorted(state.glob("*.json"))}


@contextmanager
def grading_after_first_result(course: Path, address: str, poll: float = 0.5):
    """`pglab grade --scheduler ADDRESS --no-feedback` in ``course``, started in a session of
    its own; yields the running process once its first result is saved, and ends it (and
    its children) on the way out if it still runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pglab", "grade", ASSIGNMENT, "--quiet", "--no-feedback",
         "--scheduler", address],
        cwd=course, env=nbgrader_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, preexec_fn=interruptible,
    )  # fmt: skip
    try:
        state = course / ".pglab" / "grade" / ASSIGNMENT
        deadline = time.monotonic() + 300
        while not (state.is_dir() and any(state.glob("*.json"))):
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(poll)
        yield process
    finally:
        _kill(process)


def test_cluster_grades_exactly_as_the_local_pool(tmp_path):
    """The same class graded locally (--jobs 2) and on two Dask workers: the same autograded
    notebooks, feedback HTML and CSVs, byte for byte, and the same scores and verdicts.
    (nbclient stamps each cell with the wall-clock time it ran, so byte identity of the
    autograded notebooks needs c.Execute.record_timing = False, as any two runs would.)"""
    klass = _class(tmp_path / "local")
    local = klass.course
    with (local / "nbgrader_config.py").open("a") as config:
        config.write("\nc.Execute.record_timing = False\n")
    _put(local, "ann", nbformat.writes(klass.correct()).encode())
    _put(local, "bob", nbformat.writes(_wrong(klass)).encode())
    _put(local, "cyd", b'{"cells": [ truncated')
    remote = tmp_path / "remote"
    shutil.copytree(local, remote)

    here = pglab(local, "--jobs", "2")
    assert here.returncode == 0, here.stdout + here.stderr
    with dask_cluster(tmp_path / "dask") as cluster:
        there = pglab(remote, "--scheduler", cluster.address)
    assert there.returncode == 0, there.stdout + there.stderr
    assert f"on the Dask cluster at {cluster.address}" in there.stdout
    assert "dashboard: http://127.0.0.1:" in there.stdout
    assert "2 graded, 0 unchanged, 1 could not be graded" in there.stdout, there.stdout

    for tree in ("autograded", "feedback", "exports"):
        ours, theirs = _files(local, tree), _files(remote, tree)
        assert ours and ours.keys() == theirs.keys(), tree
        for name in ours:
            if ours[name] != theirs[name]:
                pytest.fail(_first_difference(tree, name, ours, theirs))
    assert scores(local, ASSIGNMENT) == scores(remote, ASSIGNMENT)
    for student, state in _states(local).items():
        other = _states(remote)[student]
        for key in ("status", "score", "cells", "error", "flags", "bundle_digest"):
            assert state[key] == other[key], (student, key)
    assert _auto(scores(remote, ASSIGNMENT)["ann"]) == AUTOGRADED_MAX


def test_a_worker_killed_mid_run_costs_nothing(tmp_path):
    """SIGKILL one of two workers (its nanny and kernels too) while it grades: every
    submission is still graded, and written exactly once."""
    klass = _class(tmp_path)
    course = klass.course
    students = ("dee", "eve", "fay", "gus")
    for name in students:
        _put(course, name, nbformat.writes(handed_in_by(klass.correct(), name)).encode())
    with (
        dask_cluster(tmp_path / "dask") as cluster,
        grading_after_first_result(course, cluster.address) as process,
    ):
        # One result is in: both workers hold a notebook now (4 tasks, 2 workers).
        os.killpg(cluster.workers[0].pid, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=900)
    assert process.returncode == 0, stdout + stderr
    # An outcome per result written: a student written twice would count twice here.
    assert "4 graded, 0 unchanged, 0 could not be graded" in stdout, stdout
    states = _states(course)
    assert sorted(states) == list(students)
    assert all(s["status"] == "graded" and s["score"] == AUTOGRADED_MAX for s in states.values())
    table = scores(course, ASSIGNMENT)
    assert sorted(table) == list(students)
    assert all(_auto(cells) == AUTOGRADED_MAX for cells in table.values())


# Stands in for student code that takes its whole worker down (a kernel the OOM killer
# chooses the worker for, a crash in a native library): the worker process dies whenever it
# starts grading a submission holding the marker. The task function is pickled by
# reference, so the worker resolves the patched one.
KILLER_MARKER = "pglab-test: this submission kills its worker"
PRELOAD_KILLER = f"""\
import os, signal
from pglab.pipeline import cluster

# Dask imports a preload twice in the worker process: wrap the original only once.
_grade_task = getattr(cluster, "original_grade_task", cluster.grade_task)
cluster.original_grade_task = _grade_task


def grade_task(bundle, notebook, data, digest, version):
    if {KILLER_MARKER.encode()!r} in data:
        os.kill(os.getpid(), signal.SIGKILL)
    return _grade_task(bundle, notebook, data, digest, version)


cluster.grade_task = grade_task
"""


def test_a_submission_that_kills_every_worker_is_given_up_and_the_rest_graded(tmp_path):
    """A submission whose task kills its worker each time is tried a bounded number of times
    (the scheduler's allowed-failures, 1 here: two deaths), reported as could-not-be-graded,
    and the batch goes on: the others are graded on the workers the nannies restarted."""
    klass = _class(tmp_path)
    course = klass.course
    killer = klass.correct()
    killer.cells[0].source += f"\n\n<!-- {KILLER_MARKER} -->"
    _put(course, "kim", nbformat.writes(killer).encode())
    for name in ("ann", "bob"):
        _put(course, name, nbformat.writes(klass.correct()).encode())
    script = tmp_path / "preload_killer.py"
    script.write_text(PRELOAD_KILLER)
    with dask_cluster(tmp_path / "dask", workers=2, preload=script) as cluster:
        result = pglab(course, "--scheduler", cluster.address, "--no-feedback")
        deaths = sum(
            (cluster.root / f"worker{i}.log").read_text().count("was killed by signal 9")
            for i in range(2)
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 graded, 0 unchanged, 1 could not be graded" in result.stdout, result.stdout
    assert deaths == 2, f"the killer ran {deaths} times, expected allowed-failures + 1 = 2"
    states = _states(course)
    assert states["kim"]["status"] != "graded"
    assert DIED_REPEATEDLY in states["kim"]["error"], states["kim"]
    assert "kim" in result.stdout and DIED_REPEATEDLY in result.stdout
    table = scores(course, ASSIGNMENT)
    assert _auto(table.get("kim", {})) == 0
    assert _auto(table["ann"]) == _auto(table["bob"]) == AUTOGRADED_MAX


def test_an_interrupted_cluster_run_resumes_like_a_local_one(tmp_path):
    """Ctrl-C the client after its first result: what is saved stays saved, the queued tasks
    are withdrawn, and the next run (on the same cluster) grades only what was left."""
    klass = _class(tmp_path)
    course = klass.course
    students = ("dee", "eve", "fay", "gus", "hal")
    for name in students:
        _put(course, name, nbformat.writes(handed_in_by(klass.correct(), name)).encode())
    state = course / ".pglab" / "grade" / ASSIGNMENT
    with dask_cluster(tmp_path / "dask", workers=1) as cluster:
        with grading_after_first_result(course, cluster.address, poll=0.2) as process:
            os.killpg(process.pid, signal.SIGINT)
            process.communicate(timeout=120)
        done = {p.stem for p in state.glob("*.json")}
        assert 1 <= len(done) < len(students), done
        assert all(_states(course)[name]["status"] == "graded" for name in done)
        with distributed.Client(cluster.address, timeout=60) as client:
            # Withdrawn: nothing of the interrupted run is left queued on the cluster.
            deadline = time.monotonic() + 60
            while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)):
                assert time.monotonic() < deadline, "the interrupted run left tasks queued"
                time.sleep(0.5)
        rerun = pglab(course, "--scheduler", cluster.address, "--no-feedback")
    left = len(students) - len(done)
    assert f"{left} graded, {len(done)} unchanged" in rerun.stdout, rerun.stdout
    table = scores(course, ASSIGNMENT)
    assert sorted(table) == list(students)
    assert all(_auto(cells) == AUTOGRADED_MAX for cells in table.values())


def test_unreachable_scheduler_fails_fast_with_its_address(tmp_path):
    klass = _class(tmp_path)
    _put(klass.course, "ann", nbformat.writes(klass.correct()).encode())
    started = time.monotonic()
    result = pglab(klass.course, "--scheduler", "tcp://127.0.0.1:9", "--no-feedback")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stdout
    assert time.monotonic() - started < 90
    assert not (klass.course / ".pglab" / "grade" / ASSIGNMENT).exists()


PRELOAD_OTHER_VERSION = "import pglab\npglab.__version__ = '0.0.0-other'\n"
PRELOAD_NO_BWRAP = (
    "from pglab.sandbox import availability\n"
    "availability._checked['bwrap'] = 'bubblewrap (`bwrap`) is not installed or not on PATH.'\n"
)


@pytest.mark.parametrize(
    "preload, message",
    [
        (PRELOAD_OTHER_VERSION, "runs pglab 0.0.0-other+code."),
        (PRELOAD_NO_BWRAP, "cannot sandbox student code: bubblewrap"),
    ],
    ids=["other-pglab-version", "no-bubblewrap"],
)
def test_unfit_workers_are_refused_before_any_grading(tmp_path, preload, message):
    """A worker with another pglab version, or without bubblewrap, is refused at connect
    time with a clear message; nothing is graded."""
    klass = _class(tmp_path)
    _put(klass.course, "ann", nbformat.writes(klass.correct()).encode())
    script = tmp_path / "preload_unfit.py"
    script.write_text(preload)
    with dask_cluster(tmp_path / "dask", workers=1, preload=script) as cluster:
        result = pglab(klass.course, "--scheduler", cluster.address, "--no-feedback")
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stdout, result.stdout
    assert not (klass.course / ".pglab" / "grade" / ASSIGNMENT).exists()


def _certificate(directory: Path) -> dict[str, str]:
    """A self-signed certificate for 127.0.0.1, used as its own CA by everyone."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return {"ca": str(cert), "cert": str(cert), "key": str(key)}


def test_tls_scheduler_with_certificates_from_the_config(tmp_path):
    """A tls:// scheduler: refused without certificates, graded with them (c.Cluster.*)."""
    klass = _class(tmp_path)
    course = klass.course
    _put(course, "ann", nbformat.writes(klass.correct()).encode())
    tls = _certificate(tmp_path)
    with dask_cluster(tmp_path / "dask", workers=1, tls=tls) as cluster:
        assert cluster.address.startswith("tls://127.0.0.1:")
        refused = pglab(course, "--scheduler", cluster.address, "--no-feedback")
        assert refused.returncode == 2 and "tls_ca_file" in refused.stdout, refused.stdout
        with (course / "nbgrader_config.py").open("a") as config:
            config.write(
                f"\nc.Cluster.scheduler = {cluster.address!r}\n"
                f"c.Cluster.tls_ca_file = {tls['ca']!r}\n"
                f"c.Cluster.tls_client_cert = {tls['cert']!r}\n"
                f"c.Cluster.tls_client_key = {tls['key']!r}\n"
            )
        result = pglab(course, "--no-feedback")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"on the Dask cluster at {cluster.address}" in result.stdout
    assert "1 graded, 0 unchanged" in result.stdout, result.stdout
    assert _auto(scores(course, ASSIGNMENT)["ann"]) == AUTOGRADED_MAX
