"""The sandbox around student kernels: its command line, its limits, and nbgrader using it.

Unit tests check the bubblewrap command (pure). Tests marked ``pipeline`` start real
sandboxed kernels: through ``SandboxedExecute`` directly (one notebook, a few seconds), and
through plain ``nbgrader autograde`` in a scratch course.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets import TraitError
from traitlets.config import Config

from pglab.course import add_submission, nbgrader_command, nbgrader_env, scores, scratch_course
from pglab.preprocessors.sandboxed_execute import SandboxedExecute, message_size
from pglab.sandbox import Sandbox, SandboxConfigError, SandboxUnavailable, availability
from pglab.sandbox.command import HOME, SUBMISSION, Layout, bwrap_args, kernel_env, python_paths
from pglab.submissions import build_submission

REPOSITORY = Path(__file__).resolve().parent.parent
ASSIGNMENT = "reinforce"
KERNEL = [sys.executable, "-m", "ipykernel_launcher", "-f", "/tmp/x/kernel.json"]


def layout(tmp_path: Path, **overrides) -> Layout:
    fields = dict(
        submission=tmp_path / "course" / "autograded" / "s" / ASSIGNMENT,
        scratch=tmp_path / "scratch" / "ipc",
        read_only=python_paths(),
        uid=2_100_000_001,
        env={"HOME": HOME},
    )
    fields.update(overrides)
    return Layout(**fields)


# --- the command line ---------------------------------------------------------------------


def test_course_appears_only_as_the_copied_submission(tmp_path):
    """The only host path of the course handed to bwrap is the submission, mounted read-only
    at a fixed place to be copied; the kernel runs in a copy on a tmpfs."""
    args = bwrap_args(Sandbox(), layout(tmp_path), KERNEL)
    course = str(tmp_path / "course")
    mentions = [i for i, a in enumerate(args) if course in a]
    assert len(mentions) == 1
    i = mentions[0]
    assert args[i - 1 : i + 2] == ["--ro-bind", str(layout(tmp_path).submission), SUBMISSION]
    for flag in ("--unshare-pid", "--unshare-net", "--die-with-parent", "--clearenv"):
        assert flag in args
    assert args[args.index("--") + 1 :][-len(KERNEL) :] == KERNEL


def test_refuses_to_mount_the_course_or_the_whole_machine(tmp_path):
    with pytest.raises(SandboxConfigError, match="contains the submission"):
        bwrap_args(Sandbox(), layout(tmp_path, read_only=[tmp_path / "course"]), KERNEL)
    with pytest.raises(SandboxConfigError, match="must not mount /"):
        bwrap_args(Sandbox(), layout(tmp_path, read_only=[Path("/")]), KERNEL)


def test_refuses_a_kernel_outside_the_mounted_environment(tmp_path):
    with pytest.raises(SandboxConfigError, match="outside the sandbox's read-only paths"):
        bwrap_args(Sandbox(), layout(tmp_path, read_only=[]), ["/opt/elsewhere/python", "-m"])
    with pytest.raises(SandboxConfigError, match="not an absolute path"):
        bwrap_args(Sandbox(), layout(tmp_path), ["python", "-m", "ipykernel_launcher"])


def test_grading_package_inside_the_environment_is_masked(tmp_path):
    """If pglab were installed (not editable) in the mounted environment, the kernel would
    see an empty directory in its place."""
    package = python_paths()[0] / "lib" / "site-packages" / "pglab"
    args = bwrap_args(Sandbox(), layout(tmp_path, hidden=[package]), KERNEL)
    i = args.index(str(package))
    assert args[i - 1 : i + 3] == ["--tmpfs", str(package), "--remount-ro", str(package)]
    outside = tmp_path / "elsewhere" / "pglab"
    assert str(outside) not in bwrap_args(Sandbox(), layout(tmp_path, hidden=[outside]), KERNEL)


def test_launcher_sets_limits_then_drops_to_the_sandbox_uid(tmp_path):
    config = Config()
    config.Sandbox.memory_limit = 123456789
    config.Sandbox.process_limit = 17
    args = bwrap_args(Sandbox(config=config), layout(tmp_path), KERNEL)
    script = args[args.index("-c") + 1]
    assert "--as=123456789" in script and "--nproc=17" in script
    assert "setpriv --reuid=2100000001 --regid=2100000001 --clear-groups" in script
    assert "--bounding-set=-all --no-new-privs" in script
    assert script.index("prlimit") < script.index("setpriv")
    unprivileged = bwrap_args(Sandbox(), layout(tmp_path, uid=None), KERNEL)
    assert "setpriv" not in unprivileged[unprivileged.index("-c") + 1]
    assert "--disable-userns" in unprivileged


def test_kernel_environment_keeps_nothing_of_the_graders():
    host = {"NBGRADER_EXECUTION": "autograde", "SECRET_TOKEN": "x", "PWD": "/course", "HOME": "/r"}
    env = kernel_env(Sandbox(), host, Path("/venv/bin"))
    assert env["NBGRADER_EXECUTION"] == "autograde" and env["HOME"] == HOME
    assert "SECRET_TOKEN" not in env and "PWD" not in env
    assert not [v for v in env.values() if "/course" in v or v == "/r"]


def test_bad_settings_are_refused_with_the_setting_named():
    with pytest.raises(TraitError, match="Sandbox.memory_limit must be >= 0"):
        Sandbox(memory_limit=-1)
    with pytest.raises(TraitError, match="Sandbox.uid_base must be an unprivileged uid"):
        Sandbox(uid_base=0)


def test_missing_bubblewrap_refuses_with_what_to_install():
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap") as error:
        availability.require("/nonexistent/bwrap")
    assert "c.Sandbox.enabled = False" in str(error.value)


def test_output_size_is_counted_up_to_the_budget():
    content = {"data": {"text/plain": "x" * 10, "image/png": "y" * 5}, "metadata": {}}
    assert message_size(content, 100) == 15
    assert message_size({"text": ["a" * 50] * 100}, 120) <= 150


# --- real sandboxed kernels through SandboxedExecute --------------------------------------


def execute(cells: list[str], tmp_path: Path, timeout: int = 60, **settings):
    """Run code cells through SandboxedExecute; return the outputs' text of each cell."""
    config = Config()
    for key, value in settings.items():
        section, name = key.split("__")
        config[section][name] = value
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3"}
    workdir = tmp_path / "submission"
    workdir.mkdir(exist_ok=True)
    (workdir / "data.txt").write_text("the submission's own file\n")
    executor = SandboxedExecute(config=config, timeout=timeout)
    executor.preprocess(notebook, {"metadata": {"path": str(workdir)}})
    texts = []
    for cell in notebook.cells:
        parts = []
        for output in cell.outputs:
            parts.append(output.get("text", ""))
            parts.append(str(output.get("data", {}).get("text/plain", "")))
            if output.output_type == "error":
                parts.append(f"{output.ename}: {output.evalue}")
        texts.append("".join(parts))
    return texts


@pytest.mark.pipeline
def test_kernel_sees_only_its_copy_and_the_environment(tmp_path):
    """Inside: its own uid and PID namespace, a copy of the submission as cwd, no course, no
    home, no repository, no network; writes stay in the copy."""
    out = execute(
        [
            "import os, socket\n"
            "print(os.getuid(), os.getpid(), os.getcwd(), sorted(os.listdir('.')))\n"
            "print(sorted(os.listdir('/')))\n"
            f"print(os.path.exists({str(REPOSITORY)!r}), os.path.exists({str(tmp_path)!r}))\n"
            "print(os.path.exists('/root/.bash_history'), os.listdir('/proc/1/task') != [])\n"
            "open('data.txt', 'a').write('changed')\n"
            "s = socket.socket()\n"
            "try:\n    s.connect(('1.1.1.1', 80)); print('NETWORK')\n"
            "except OSError as e:\n    print('no network:', e.errno)\n"
            "import pglab",
        ],
        tmp_path,
    )[0]
    lines = out.splitlines()
    uid, pid, cwd, listing = lines[0].split(" ", 3)
    if os.geteuid() == 0:
        assert int(uid) >= Sandbox().uid_base
    assert int(pid) < 10 and cwd == f"{HOME}/work" and listing == "['data.txt']"
    assert set(eval(lines[1])) <= {
        "bin",
        "dev",
        "etc",
        "home",
        "lib",
        "lib64",
        "proc",
        "root",
        "run",
        "sbin",
        "tmp",
        "usr",
        "lib32",
        "libx32",
    }
    assert lines[2] == "False False" and lines[3].startswith("False")
    assert "no network" in out and "NETWORK\n" not in out
    assert "ModuleNotFoundError" in out or "ImportError" in out or "FileNotFoundError" in out
    assert (tmp_path / "submission" / "data.txt").read_text() == "the submission's own file\n"


@pytest.mark.pipeline
def test_fork_bomb_stops_at_the_process_limit(tmp_path):
    """A (bounded) fork bomb gets EAGAIN once the sandbox runs process_limit tasks."""
    out = execute(
        [
            "import os, time\n"
            "children = []\n"
            "try:\n"
            "    for _ in range(400):\n"
            "        pid = os.fork()\n"
            "        if pid == 0:\n"
            "            time.sleep(5); os._exit(0)\n"
            "        children.append(pid)\n"
            "except OSError as e:\n"
            "    print('stopped after', len(children), 'errno', e.errno)\n",
            "print('kernel still answers')",
        ],
        tmp_path,
        Sandbox__process_limit=32,
    )
    assert "stopped after" in out[0] and "errno 11" in out[0], out
    assert int(out[0].split()[2]) < 32
    assert "kernel still answers" in out[1]


@pytest.mark.pipeline
def test_memory_cap_raises_memory_error(tmp_path):
    out = execute(
        [
            "import numpy as np\nheld = []\n"
            "try:\n"
            "    while True:\n        held.append(np.ones(32 * 1024**2))\n"
            "except MemoryError:\n"
            "    print('MemoryError after', len(held) * 256, 'MiB')\n"
            "del held",
            "print('kernel still answers')",
        ],
        tmp_path,
        Sandbox__memory_limit=1024**3,
    )
    assert "MemoryError after" in out[0], out
    assert int(out[0].split()[2]) < 1024
    assert "kernel still answers" in out[1]


@pytest.mark.pipeline
def test_huge_output_is_cut_and_fails_the_cell(tmp_path):
    out = execute(
        [
            "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1_000_000)\n",
            "print('next cell runs')",
        ],
        tmp_path,
        SandboxedExecute__cell_output_limit=5_000_000,
    )
    assert "OutputLimitExceeded" in out[0]
    assert len(out[0]) < 5_100_000
    assert "next cell runs" in out[1]


@pytest.mark.pipeline
def test_killed_kernel_fails_its_cell_and_the_rest(tmp_path):
    out = execute(["print(1)", "import os; os.kill(os.getpid(), 9)", "print(2)"], tmp_path)
    assert out[0] == "1\n"
    assert "KernelDied" in out[1] and "not run: the kernel died in cell 1" in out[2]


@pytest.mark.pipeline
def test_unavailable_sandbox_refuses_to_grade(tmp_path):
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        execute(["print(1)"], tmp_path, Sandbox__bwrap="/nonexistent/bwrap")


@pytest.mark.pipeline
def test_disabled_sandbox_runs_unsandboxed(tmp_path):
    out = execute(
        [f"import os; print(os.path.exists({str(REPOSITORY)!r}))"],
        tmp_path,
        Sandbox__enabled=False,
    )
    assert out == ["True\n"]


# --- plain nbgrader autograde, sandboxed ---------------------------------------------------


def autograde(course: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        nbgrader_command("autograde", ASSIGNMENT, "--force"),
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def sandboxed_course(tmp_path_factory) -> Path:
    """A scratch course with the solution and the release as submissions, autograded."""
    course = scratch_course(REPOSITORY, tmp_path_factory.mktemp("sandbox") / "course", [ASSIGNMENT])
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    add_submission(course, ASSIGNMENT, "solution", build_submission(release, source, '"""s"""\n'))
    add_submission(course, ASSIGNMENT, "release", release)
    result = autograde(course)
    assert result.returncode == 0, result.stdout + result.stderr
    return course


@pytest.mark.pipeline
def test_solution_earns_full_marks_inside_the_sandbox(sandboxed_course):
    from pglab.assignments import ASSIGNMENTS

    cells = scores(sandboxed_course, ASSIGNMENT)["solution"]
    graded = {n: c for n, c in cells.items() if n in ASSIGNMENTS[ASSIGNMENT].probes}
    assert sorted(graded) == sorted(ASSIGNMENTS[ASSIGNMENT].probes)
    assert {n: c.score for n, c in graded.items() if c.score != c.max_score} == {}


@pytest.mark.pipeline
def test_release_earns_nothing_inside_the_sandbox(sandboxed_course):
    cells = scores(sandboxed_course, ASSIGNMENT)["release"]
    assert sum(c.score for c in cells.values()) == 0
