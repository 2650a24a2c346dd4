"""The sandbox around student kernels: its command line, its limits, and nbgrader using it.

Unit tests check the bubblewrap command (pure). Tests marked ``pipeline`` start real
sandboxed kernels: through ``SandboxedExecute`` directly (one notebook, a few seconds), and
through plain ``nbgrader autograde`` in a scratch course.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from support import handed_in_by, pglab
from traitlets import TraitError
from traitlets.config import Config

from pglab.assignments import ASSIGNMENTS
from pglab.course import (
    add_submission,
    nbgrader_command,
    nbgrader_env,
    scores,
    scratch_course,
)
from pglab.grading.grade import SCRATCH_PREFIX
from pglab.preprocessors.sandboxed_execute import SandboxedExecute, message_size
from pglab.sandbox import (
    Sandbox,
    SandboxConfigError,
    SandboxUnavailable,
    availability,
    cgroup,
    scratch,
)
from pglab.sandbox.command import (
    HOME,
    MPLCONFIGDIR,
    SUBMISSION,
    Layout,
    bwrap_args,
    kernel_env,
    python_paths,
)
from pglab.sandbox.kernel_manager import SandboxKernelManager, package_dirs
from pglab.submissions import build_submission, corpus_settings, fill, solution_code

REPOSITORY = Path(__file__).resolve().parent.parent
MIB = 1024**2
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


def test_prebuilt_font_list_is_bound_read_only(tmp_path):
    """matplotlib's font list is built once by the grader and shown read-only (so kernels do
    not each rebuild it, and none can change it for the next)."""
    fonts = tmp_path / "fonts" / "fontlist-v390.json"
    args = bwrap_args(Sandbox(), layout(tmp_path, font_list=fonts), KERNEL)
    i = args.index(str(fonts))
    assert args[i - 1 : i + 2] == ["--ro-bind", str(fonts), f"{MPLCONFIGDIR}/{fonts.name}"]
    script = args[args.index("-c") + 1]
    assert f"chown -R 2100000001:2100000001 {HOME}/work" in script
    assert f"chown -R 2100000001:2100000001 {HOME};" not in script


def test_font_list_is_asked_for_once_per_environment(tmp_path, monkeypatch):
    """The grader's own interpreter is asked where its font list is once; later grading
    processes read the answer. Another interpreter is asked each time, and a list that went
    missing is built again."""
    from pglab.sandbox import font_cache

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    asked = []
    run = subprocess.run

    def counted(argv, **kwargs):
        asked.append(argv[0])
        return run(argv, **kwargs)

    monkeypatch.setattr(subprocess, "run", counted)

    def in_a_new_process(interpreter: str):
        monkeypatch.setattr(font_cache, "_built", {})
        return font_cache.font_list(interpreter)

    first = in_a_new_process(sys.executable)
    assert first is not None and first.is_file() and first.name.startswith("fontlist-v")
    assert first.parent.parent == tmp_path / f"pglab-sandbox-fonts-{os.geteuid()}"
    assert (in_a_new_process(sys.executable), len(asked)) == (first, 1)

    other = tmp_path / "other-python"  # the base interpreter, outside the grader's venv
    other.symlink_to(sys.executable)
    in_a_new_process(str(other))
    in_a_new_process(str(other))
    assert asked == [sys.executable, str(other), str(other)]

    first.unlink()
    assert in_a_new_process(sys.executable) == first and first.is_file()
    assert len(asked) == 4


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
    # not kept: a worker whose check failed once checks again at its next submission
    assert "/nonexistent/bwrap" not in availability._checked


def test_the_sandbox_check_mounts_nothing_of_the_host_but_usr():
    """The check that bubblewrap works mounts what a kernel's sandbox mounts from the host,
    not the host's root: with it, bwrap took in every other kernel's scratch tmpfs in the
    temporary directory, and one unmounted meanwhile failed the check ("remount
    /newroot/tmp/pglab-kernel-...: Invalid argument"), refusing the rest of that worker's
    submissions. The check still runs bwrap with the sandbox's namespaces."""
    command = availability.probe_command("bwrap")
    sources = [command[i + 1] for i, arg in enumerate(command) if arg in ("--bind", "--ro-bind")]
    temp = Path(tempfile.gettempdir()).resolve()
    assert "/usr" in sources
    for source in sources:
        assert source != "/" and not temp.is_relative_to(Path(source).resolve()), source
    assert {"--unshare-pid", "--unshare-net", "--unshare-ipc"} <= set(command)
    assert subprocess.run(command, capture_output=True).returncode == 0


def test_output_size_counts_keys_numbers_and_nesting():
    """The estimate used when the arrived size is unknown is the serialised size: keys and
    numbers count (four 1 MB keys are 4 MB), and counting stops soon after the budget."""
    import json

    content = {"data": {"text/plain": "x" * 10, "image/png": "y" * 5}, "metadata": {}}
    assert message_size(content, 1000) >= 15
    keys = {"k" * 1_000_000 + str(i): 0 for i in range(4)}
    assert message_size(keys, 10**9) >= 4_000_000
    numbers = {str(i): i for i in range(1000)}
    assert message_size(numbers, 10**9) >= len(json.dumps(numbers)) * 0.9
    nested = [[[["abc"] * 10] * 10] * 10]
    assert (
        0.9 * len(json.dumps(nested))
        <= message_size(nested, 10**9)
        <= 1.5 * len(json.dumps(nested))
    )
    flood = {str(i): "v" for i in range(3_000_000)}
    started = time.perf_counter()
    assert message_size(flood, 1000) > 1000
    assert time.perf_counter() - started < 0.1  # stopped at the budget: 3 million keys not walked


HYBRID_MOUNTINFO = """\
30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
35 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 30 0:32 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
37 30 0:33 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
HYBRID_CGROUP = "8:pids:/\n4:memory:/grader\n0::/\n"
V2_MOUNTINFO = "40 25 0:40 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"


def fake_cgroupfs(root: Path, mountinfo: str, own: str, v2_controllers: str) -> None:
    (root / "proc" / "self").mkdir(parents=True)
    (root / "proc" / "self" / "mountinfo").write_text(mountinfo)
    (root / "proc" / "self" / "cgroup").write_text(own)
    for folder in ("memory/grader", "pids", "unified"):
        (root / "sys/fs/cgroup" / folder).mkdir(parents=True, exist_ok=True)
    (root / "sys/fs/cgroup/unified/cgroup.controllers").write_text(v2_controllers)
    (root / "sys/fs/cgroup/cgroup.controllers").write_text(v2_controllers)
    (root / "sys/fs/cgroup/cgroup.subtree_control").write_text("")


def test_cgroup_v1_on_a_hybrid_layout(tmp_path):
    """A hybrid machine (v2 without memory or pids): the v1 memory and pids hierarchies, each
    kernel in a child of the grader's own cgroup, limits written, no swap."""
    fake_cgroupfs(tmp_path, HYBRID_MOUNTINFO, HYBRID_CGROUP, "hugetlb\n")
    made, why = cgroup.create(2 * 1024**3, 64, root=tmp_path)
    assert made is not None and made.version == 1, why
    memory, pids = made.directories
    assert memory.parent == tmp_path / "sys/fs/cgroup/memory/grader"
    assert (memory / "memory.limit_in_bytes").read_text() == str(2 * 1024**3)
    assert (pids / "pids.max").read_text() == "64" and pids.parent.name == "pids"
    script = made.wrap(["/usr/bin/bwrap", "--args", "3"])
    assert script[-3:] == ["/usr/bin/bwrap", "--args", "3"]
    assert str(memory / "cgroup.procs") in script and str(pids / "cgroup.procs") in script


def test_cgroup_v2_when_it_has_the_controllers(tmp_path):
    fake_cgroupfs(tmp_path, V2_MOUNTINFO, "0::/\n", "cpu memory pids\n")
    made, why = cgroup.create(1024**3, 32, root=tmp_path)
    assert made is not None and made.version == 2, why
    (directory,) = made.directories
    assert (directory / "memory.max").read_text() == str(1024**3)
    assert (directory / "pids.max").read_text() == "32"
    enabled = (tmp_path / "sys/fs/cgroup/cgroup.subtree_control").read_text()
    assert "+memory" in enabled and "+pids" in enabled


def test_no_cgroup_says_why(tmp_path):
    fake_cgroupfs(tmp_path, V2_MOUNTINFO, "0::/\n", "cpu\n")
    made, why = cgroup.create(1024**3, 32, root=tmp_path)
    assert made is None and "no memory or pids" in why


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_scratch_tmpfs_fills_at_its_size(tmp_path):
    folder = tmp_path / "scratch"
    folder.mkdir()
    assert scratch.mount_tmpfs(folder, 1024**2) is None
    try:
        with pytest.raises(OSError, match="No space left"):
            (folder / "big").write_bytes(b"x" * 2 * 1024**2)
    finally:
        scratch.unmount(folder)
    assert not scratch.is_mount(folder)


@pytest.mark.parametrize("prefix", [scratch.PREFIX, SCRATCH_PREFIX])
def test_sweep_removes_only_what_dead_graders_left(tmp_path, prefix):
    """A grader killed with SIGKILL leaves its kernel's scratch directory, or the submission
    copy ``grade`` ran the kernel on; the next grader removes those of dead processes only."""
    gone = subprocess.Popen(["true"])  # a process that has exited and been reaped
    gone.wait()
    dead = tmp_path / f"{prefix}{gone.pid}-abc"
    dead.mkdir()
    (dead / "reinforce.ipynb").write_text("{}")
    mine = tmp_path / f"{prefix}{os.getpid()}-def"
    parent = tmp_path / f"{prefix}{os.getppid()}-ghi"  # alive: another running grader
    other = tmp_path / f"{prefix}notapid-jkl"
    for folder in (mine, parent, other):
        folder.mkdir()
    scratch.sweep(tmp_path, prefix)
    assert not dead.exists()
    assert mine.exists() and parent.exists() and other.exists()


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


def environment_roots() -> set[str]:
    """Top-level folders the sandbox creates to mount the Python environment at its own path
    (a clone in /check/... mounts its .venv there, so `/check` exists, holding only that)."""
    return {path.parts[1] for path in python_paths() if len(path.parts) > 1}


@pytest.mark.pipeline
def test_kernel_sees_only_its_copy_and_the_environment(tmp_path):
    """Inside: its own uid and PID namespace, a copy of the submission as cwd, no course, no
    home, no repository, no network; writes stay in the copy."""
    out = execute(
        [
            "import os, socket\n"
            "print(os.getuid(), os.getpid(), os.getcwd(), sorted(os.listdir('.')))\n"
            "print(sorted(os.listdir('/')))\n"
            f"repo = {str(REPOSITORY)!r}\n"
            "print(sorted(os.listdir(repo)) if os.path.exists(repo) else None,"
            f" os.path.exists({str(tmp_path)!r}))\n"
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
    assert (
        set(eval(lines[1]))
        <= {
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
        | environment_roots()
    )
    # `make` builds .venv inside the repository, and the sandbox must mount that venv to run
    # Python; then the repository's folder exists inside, holding nothing but .venv.
    assert lines[2] in ("None False", "['.venv'] False") and lines[3].startswith("False")
    assert "no network" in out and "NETWORK\n" not in out
    assert "ModuleNotFoundError" in out or "ImportError" in out or "FileNotFoundError" in out
    assert (tmp_path / "submission" / "data.txt").read_text() == "the submission's own file\n"


@pytest.mark.pipeline
def test_kernel_starts_without_the_hidden_debugger(tmp_path):
    """c.Sandbox.hidden_packages (debugpy by default) are empty inside: the kernel starts and
    runs cells without a debugger, which it would otherwise import at start-up."""
    assert package_dirs(["debugpy"]), "debugpy is a dependency of ipykernel"
    cells = [
        "import sys\nprint(sorted(m for m in sys.modules if m.startswith(('debugpy.', 'pydevd'))))",
        "from debugpy.server import api",
        "print(6 * 7)",
    ]
    hidden, kept = execute(cells, tmp_path), execute(cells, tmp_path, Sandbox__hidden_packages=[])
    assert hidden[0].strip() == "[]" and "No module named 'debugpy.server'" in hidden[1]
    assert hidden[2].strip() == "42"
    assert "'debugpy.server'" in kept[0] and kept[1] == ""  # the debugger not hidden


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


def test_kernel_runs_one_compute_thread_unless_passed_through():
    """OpenMP, OpenBLAS and MKL start one thread per core unless told otherwise; in the
    sandbox they get one (process_limit), and pass_env can hand the grader's value in."""
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    env = kernel_env(Sandbox(), {"OMP_NUM_THREADS": "8"}, Path("/venv/bin"))
    assert [env[name] for name in names] == ["1", "1", "1"]
    passed = kernel_env(Sandbox(pass_env=["OMP_NUM_THREADS"]), {"OMP_NUM_THREADS": "8"}, Path("/b"))
    assert passed["OMP_NUM_THREADS"] == "8"


@pytest.mark.pipeline
def test_torch_backward_runs_inside_the_sandbox_on_one_thread(tmp_path):
    """The actor_critic assignment's framework under the default limits: torch imports, a
    float64 backward() gives the right gradient, and it computes on one thread. Unbounded, it
    would start a thread per core: torch.set_num_threads(32) here (a 32-core machine) makes
    libgomp abort the kernel at the default process_limit."""
    out = execute(
        [
            "import os, torch\n"
            "x = torch.arange(6, dtype=torch.float64).reshape(2, 3).requires_grad_()\n"
            "(torch.log_softmax(x, -1)[:, 0].sum() + (x ** 2).sum()).backward()\n"
            "expected = 2 * x.detach() - torch.softmax(x.detach(), -1)\n"
            "expected[:, 0] += 1\n"
            "a = torch.ones(300, 300, dtype=torch.float64, requires_grad=True)\n"
            "(a @ a).sum().backward()\n"
            "print(bool(torch.allclose(x.grad, expected)), torch.get_num_threads(),"
            " len(os.listdir('/proc/self/task')))",
        ],
        tmp_path,
    )[0]
    right, threads, tasks = out.split()
    assert right == "True" and threads == "1", out
    assert int(tasks) < Sandbox().process_limit // 4, out


@pytest.mark.pipeline
def test_output_past_the_cap_is_dropped_and_the_cell_keeps_running(tmp_path):
    """A debugging print in a loop past the cell's cap loses its output, not the rest of the
    cell: the function defined after the loop exists, and the cell says what happened."""
    out = execute(
        [
            "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1_000_000)\n"
            "def after():\n    return 'defined after the loop'\n",
            "print(after())",
        ],
        tmp_path,
        SandboxedExecute__cell_output_limit=5_000_000,
    )
    assert "OutputLimitExceeded" in out[0] and "the cell kept running" in out[0]
    assert len(out[0]) < 5_100_000
    assert out[1] == "defined after the loop\n"


@pytest.mark.pipeline
def test_keys_and_numbers_count_against_the_cap(tmp_path):
    """Display data whose size is in its keys (or in numbers) is counted as it arrived: a
    3 MB dict of keys is cut at a 1 MB cap, as is a list of a million integers."""
    out = execute(
        [
            "from IPython.display import display\n"
            "display({'text/plain': 'k'}, metadata={'k' * 3_000_000: 1}, raw=True)\n"
            "print('after keys')",
            "from IPython.display import display\n"
            "display({'application/json': {'a': list(range(1_000_000))}}, raw=True)\n"
            "print('after numbers')",
        ],
        tmp_path,
        SandboxedExecute__cell_output_limit=1_000_000,
        SandboxedExecute__notebook_output_limit=100_000_000,
    )
    for cell in out:
        assert "OutputLimitExceeded" in cell and "after" not in cell, cell[:300]
        assert len(cell) < 1000


@pytest.mark.pipeline
def test_killed_kernel_fails_its_cell_and_the_rest(tmp_path):
    out = execute(["print(1)", "import os; os.kill(os.getpid(), 9)", "print(2)"], tmp_path)
    assert out[0] == "1\n"
    assert (
        "KernelDied" in out[1]
        and "not run: the kernel died or broke its connection in cell 1" in out[2]
    )


@pytest.mark.pipeline
def test_kernel_is_killed_after_the_last_cell_with_every_output_kept(tmp_path, monkeypatch):
    """After the last cell the kernel is killed, not asked to shut down (a graceful stop runs
    the interpreter's whole clean-up, and a student's atexit hooks, for nothing): what the
    last cell printed has arrived all the same."""
    stops = []
    shutdown = SandboxKernelManager.shutdown_kernel

    async def recorded(self, now=False, restart=False):
        stops.append(now)
        return await shutdown(self, now=now, restart=restart)

    monkeypatch.setattr(SandboxKernelManager, "shutdown_kernel", recorded)
    out = execute(
        [
            "import atexit, time\natexit.register(time.sleep, 600)\nprint('hook set')",
            "print('last cell', flush=True)",
        ],
        tmp_path,
    )
    assert out == ["hook set\n", "last cell\n"]
    assert stops == [True]


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


# --- plain nbgrader autograde: the attack corpus ------------------------------------------

ATTACKS = sorted((Path(__file__).resolve().parent / "corpus" / "attacks").glob("*.py"))
CLASSMATES = ("aaa_classmate", "zzz_classmate")  # sorted first and last among the students
DEBUG_LINES = 300_000  # about 36 MB printed: past the 32 MiB cell cap


def debugging_print_submission(release, source):
    """The instructor's solution with a debugging print in a loop at the top of the cell that
    defines log_prob (and, after it, every other function of that cell)."""
    code = solution_code(source)
    loop = f"for step in range({DEBUG_LINES}):\n    print('debug step', step, '.' * 100)\n"
    code["log_prob"] = loop + code["log_prob"]
    return fill(release, code)


def autograde(course: Path) -> tuple[subprocess.CompletedProcess, int]:
    """`nbgrader autograde` of the class, and the grader process's own peak memory (VmHWM,
    bytes: its kernels are other processes, in their own cgroups)."""
    process = subprocess.Popen(
        nbgrader_command("autograde", ASSIGNMENT, "--force"),
        cwd=course,
        env=nbgrader_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0]

    def watch() -> None:
        while process.poll() is None:
            try:
                status = Path(f"/proc/{process.pid}/status").read_text()
            except OSError:
                return
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak[0] = max(peak[0], int(line.split()[1]) * 1024)
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, stderr = process.communicate()
    watcher.join()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), peak[0]


def digest(*paths: Path) -> str:
    """sha256 over the bytes (and relative names) of every file under ``paths``."""
    h = hashlib.sha256()
    for root in paths:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                h.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class Listener:
    """TCP listeners on 127.0.0.1 and [::1] (one port) that record what connects."""

    def __init__(self):
        self.received: list[bytes] = []
        self.sockets = [socket.create_server(("127.0.0.1", 0))]
        self.port = self.sockets[0].getsockname()[1]
        try:
            self.sockets.append(socket.create_server(("::1", self.port), family=socket.AF_INET6))
        except OSError:
            pass  # no IPv6 loopback here
        for server in self.sockets:
            threading.Thread(target=self._serve, args=(server,), daemon=True).start()

    def _serve(self, server: socket.socket) -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                try:
                    self.received.append(connection.recv(100) or b"(connected)")
                except OSError:
                    self.received.append(b"(connected)")

    def close(self) -> None:
        for server in self.sockets:
            server.close()


def output_text(output) -> str:
    """An output's text: stream text, plain-text display data, an error's name and value."""
    plain = output.get("data", {}).get("text/plain", "")
    return output.get("text", "") + plain + f"{output.get('ename', '')}: {output.get('evalue', '')}"


@dataclass
class AttackRun:
    course: Path
    result: subprocess.CompletedProcess
    before: dict[str, str]
    after: dict[str, str]
    listener: Listener
    grader_peak: int  # bytes: the nbgrader process's own peak resident memory

    def points(self, student: str) -> float:
        return sum(c.score for c in scores(self.course, ASSIGNMENT)[student].values())

    def cell_text(self, student: str, grade_id: str) -> str:
        path = self.course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                return "".join(output_text(o) for o in cell.get("outputs", []))
        raise KeyError(grade_id)

    def gradebook(self, query: str) -> list[tuple]:
        with sqlite3.connect(self.course / "gradebook.db") as db:
            return db.execute(query).fetchall()


def protected(course: Path) -> dict[str, str]:
    return {
        "source/": digest(course / "source"),
        "nbgrader_config.py": digest(course / "nbgrader_config.py"),
    }


def grade_attacks(base: Path, attacks: list[Path], unsafe: bool) -> AttackRun:
    """A scratch course with the solution, the release and the attacks, autograded."""
    course = scratch_course(REPOSITORY, base / "course", [ASSIGNMENT])
    if unsafe:
        with open(course / "nbgrader_config.py", "a") as config:
            config.write("\nc.Sandbox.enabled = False  # the control run: no sandbox\n")
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    listener = Listener()
    solution = build_submission(release, source, '"""s"""\n')
    add_submission(course, ASSIGNMENT, "solution", solution)
    add_submission(course, ASSIGNMENT, "release", release)
    if not unsafe:  # classmates graded before and after every attack (students go by name)
        for name in CLASSMATES:
            add_submission(course, ASSIGNMENT, name, solution)
        add_submission(
            course, ASSIGNMENT, "print_debug", debugging_print_submission(release, source)
        )
    for path in attacks:
        text = path.read_text().replace("@LISTENER_PORT@", str(listener.port))
        add_submission(course, ASSIGNMENT, path.stem, build_submission(release, source, text))
    before = protected(course)
    result, peak = autograde(course)
    run = AttackRun(course, result, before, protected(course), listener, peak)
    listener.close()
    return run


@pytest.fixture(scope="module")
def attack_runs(tmp_path_factory) -> dict[str, AttackRun]:
    """Every attack graded by plain `nbgrader autograde` in the sandbox; the attacks that
    need the sandbox to fail (CONTROL) also graded without it, in another course, at the
    same time."""
    base = tmp_path_factory.mktemp("attacks")
    controls = [p for p in ATTACKS if "CONTROL" in corpus_settings(p.read_text())]
    with ThreadPoolExecutor(2) as pool:
        sandboxed = pool.submit(grade_attacks, base / "sandboxed", ATTACKS, False)
        unsafe = pool.submit(grade_attacks, base / "unsafe", controls, True)
        runs = {"sandboxed": sandboxed.result(), "unsafe": unsafe.result()}
    return runs


def attack_id(path: Path) -> str:
    return path.stem


@pytest.mark.pipeline
def test_corpus_has_every_attack_of_the_issue():
    names = {p.stem for p in ATTACKS}
    assert {
        "read_source_relative",
        "read_source_via_proc",
        "read_reference_module",
        "read_other_submissions",
        "rewrite_source_notebook",
        "write_gradebook",
        "patch_numpy_builtins_imports",
        "kill_kernel",
        "fork_bomb",
        "exhaust_memory",
        "print_100mb",
        "network",
        "huge_dict_keys",
        "flood_small_keys",
        "fill_connection_dir",
        "exhaust_total_memory",
    } <= names


@pytest.mark.pipeline
def test_autograde_completes_for_every_student(attack_runs):
    run = attack_runs["sandboxed"]
    assert run.result.returncode == 0, run.result.stdout + run.result.stderr
    students = {s for (s,) in run.gradebook("SELECT id FROM student")}
    assert students == {
        "solution",
        "release",
        "print_debug",
        *CLASSMATES,
        *(p.stem for p in ATTACKS),
    }


@pytest.mark.pipeline
def test_solution_earns_full_marks_inside_the_sandbox(attack_runs):
    """The instructor's solution, graded in the same sandboxed run as the attacks."""
    run = attack_runs["sandboxed"]
    cells = scores(run.course, ASSIGNMENT)["solution"]
    graded = {n: c for n, c in cells.items() if n in ASSIGNMENTS[ASSIGNMENT].probes}
    assert sorted(graded) == sorted(ASSIGNMENTS[ASSIGNMENT].probes)
    assert {n: c.score for n, c in graded.items() if c.score != c.max_score} == {}
    assert run.points("release") == 0


@pytest.mark.pipeline
def test_classmates_before_and_after_the_attacks_keep_their_scores(attack_runs):
    """Two copies of the solution, graded first and last in the class with every attack in
    between, get exactly the solution's score, cell by cell."""
    run = attack_runs["sandboxed"]
    expected = {n: c.score for n, c in scores(run.course, ASSIGNMENT)["solution"].items()}
    for name in CLASSMATES:
        assert {n: c.score for n, c in scores(run.course, ASSIGNMENT)[name].items()} == expected


@pytest.mark.pipeline
def test_debugging_print_past_the_cap_keeps_the_functions_defined(attack_runs):
    """Issue: a correct cell printing past the output cap used to be interrupted, so the
    functions after its loop were never defined and the student read "There is no function
    called log_prob". Now its output is cut with a note and it earns the solution's score."""
    run = attack_runs["sandboxed"]
    expected = {n: c.score for n, c in scores(run.course, ASSIGNMENT)["solution"].items()}
    got = {n: c.score for n, c in scores(run.course, ASSIGNMENT)["print_debug"].items()}
    assert got == expected
    shown = run.cell_text("print_debug", "log_prob")
    assert "debug step 0 " in shown and "OutputLimitExceeded" in shown
    assert "the cell kept running" in shown and f"debug step {DEBUG_LINES - 1} " not in shown
    assert len(shown) < 1.1 * SandboxedExecute().cell_output_limit


@pytest.mark.pipeline
@pytest.mark.parametrize("path", ATTACKS, ids=attack_id)
def test_attack_earns_no_more_than_the_release(attack_runs, path):
    """Each attack, graded in the sandbox, earns what the untouched release earns (nothing),
    and its own cell shows the sandbox stopping it."""
    run = attack_runs["sandboxed"]
    assert run.points(path.stem) <= run.points("release") == 0
    shown = run.cell_text(path.stem, "log_prob")
    for expected in corpus_settings(path.read_text())["SANDBOXED_OUTPUT"]:
        assert expected in shown, shown[:2000]


@pytest.mark.pipeline
def test_attacks_leave_source_config_and_gradebook_untouched(attack_runs):
    """source/ and nbgrader_config.py are byte-identical after grading every attack. The
    gradebook changes by nbgrader's own writes, so it is checked by content: no table,
    student or score that autograde does not write."""
    run = attack_runs["sandboxed"]
    assert run.after == run.before
    tables = {t for (t,) in run.gradebook("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "pwned" not in tables
    assert run.gradebook("SELECT count(*) FROM grade WHERE manual_score IS NOT NULL") == [(0,)]
    assert run.gradebook("SELECT count(*) FROM grade WHERE extra_credit IS NOT NULL") == [(0,)]


@pytest.mark.pipeline
def test_no_connection_reaches_the_grading_machine(attack_runs):
    assert attack_runs["sandboxed"].listener.received == []


@pytest.mark.pipeline
def test_limits_hold(attack_runs):
    """The fork bomb stops below the process limit, the allocation below the memory limit,
    and the 100 MB print leaves a small autograded notebook."""
    run = attack_runs["sandboxed"]
    forks = run.cell_text("fork_bomb", "log_prob")
    assert int(forks.split("fork refused after")[1].split()[0]) < Sandbox().process_limit
    memory = run.cell_text("exhaust_memory", "log_prob")
    assert int(memory.split("MemoryError after")[1].split()[0]) * 1024**2 < Sandbox().memory_limit
    notebook = run.course / "autograded" / "print_100mb" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert notebook.stat().st_size < 2 * SandboxedExecute().cell_output_limit


@pytest.mark.pipeline
def test_resource_attacks_meet_the_documented_limits(attack_runs):
    """Keys, small-key floods, the connection directory and the sandbox's total memory are
    bounded: small autograded notebooks, a scratch tmpfs that fills at scratch_size, six
    1 GiB processes held below total_memory_limit together (the out-of-memory killer ends
    some), and the grader's own memory bounded across the whole class."""
    run = attack_runs["sandboxed"]
    limits = Sandbox()
    for name in ("huge_dict_keys", "flood_small_keys"):
        notebook = run.course / "autograded" / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert notebook.stat().st_size < 2 * SandboxedExecute().cell_output_limit, name
    filled = run.cell_text("fill_connection_dir", "log_prob")
    assert int(filled.split("connection dir full after")[1].split()[0]) * MIB < limits.scratch_size
    memory = run.cell_text("exhaust_total_memory", "log_prob")
    peak, killed = (
        int(x) for x in re.findall(r"peak held (\d+) MiB by 6 processes; (\d+)", memory)[0]
    )
    assert peak * MIB < limits.total_memory_limit and killed >= 1
    # A normal class: about 0.26 GB. Keys and floods once took the grader to 3.5-4.4 GB.
    assert run.grader_peak < 1024 * MIB, run.grader_peak


@pytest.mark.pipeline
@pytest.mark.parametrize(
    "path", [p for p in ATTACKS if "CONTROL" in corpus_settings(p.read_text())], ids=attack_id
)
def test_attack_works_without_the_sandbox(attack_runs, path):
    """The control: graded with c.Sandbox.enabled = False, the same attack does steal, write
    or connect. So the sandboxed run above passes because of the sandbox, and these attacks
    are real."""
    run = attack_runs["unsafe"]
    control = corpus_settings(path.read_text())["CONTROL"]
    if control == "earns":
        assert run.points(path.stem) > 0
    elif control == "changes_source":
        assert run.after["source/"] != run.before["source/"]
    elif control == "changes_gradebook":
        tables = run.gradebook("SELECT name FROM sqlite_master WHERE type='table'")
        assert ("pwned",) in tables
    elif control == "connects":
        assert b"network attack" in run.listener.received
    else:
        raise AssertionError(f"{path.name}: unknown CONTROL {control!r}")


@pytest.mark.pipeline
def test_attacks_are_flagged_for_the_ta_and_the_solution_is_not(attack_runs):
    """FlagTampering (in nbgrader_config's autograde pipeline) leaves the static-scan flags in
    every attack's autograded notebook, and none in the solution's."""
    run = attack_runs["sandboxed"]

    def flags(student: str) -> list[dict]:
        path = run.course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        return nbformat.read(path, as_version=4).metadata["pglab"]["tamper_flags"]

    assert flags("solution") == []
    for path in ATTACKS:
        assert flags(path.stem), path.stem


# --- pglab grade: the resource attacks in a class -----------------------------------------

RESOURCE_ATTACKS = ("flood_small_keys", "fill_connection_dir", "exhaust_total_memory")


@pytest.fixture(scope="module")
def pglab_resource_class(tmp_path_factory):
    """A class graded by `pglab grade --jobs 2`: a correct classmate, the resource attacks,
    another correct classmate (in that order of names)."""
    base = tmp_path_factory.mktemp("resources-pglab")
    course = scratch_course(REPOSITORY, base / "course", [ASSIGNMENT])
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    inbox = base / "inbox"
    solution = build_submission(release, source, '"""s"""\n')
    notebooks = {name: handed_in_by(solution, name) for name in CLASSMATES}
    for name in RESOURCE_ATTACKS:
        text = (ATTACKS[0].parent / f"{name}.py").read_text()
        notebooks[name] = build_submission(release, source, text)
    for student, notebook in notebooks.items():
        (inbox / student).mkdir(parents=True)
        nbformat.write(notebook, inbox / student / f"{ASSIGNMENT}.ipynb")
    before = protected(course)
    result = pglab(course, str(inbox), "--jobs", "2", "--no-feedback")
    return course, result, before


@pytest.mark.pipeline
def test_pglab_grade_bounds_the_resource_attacks(pglab_resource_class):
    """Through `pglab grade`: both classmates earn full marks on every probe, each resource
    attack earns nothing, the course is unchanged, and the attacks met their limits."""
    course, result, before = pglab_resource_class
    table = scores(course, ASSIGNMENT)
    probes = ASSIGNMENTS[ASSIGNMENT].probes
    for name in CLASSMATES:
        graded = {n: c for n, c in table[name].items() if n in probes}
        assert sorted(graded) == sorted(probes), (name, result.stdout + result.stderr)
        assert {n: c.score for n, c in graded.items() if c.score != c.max_score} == {}, name
    for name in RESOURCE_ATTACKS:
        assert name in table, (name, result.stdout + result.stderr)
        assert sum(c.score for c in table[name].values()) == 0, name
    assert protected(course) == before

    def shown(student: str) -> str:
        path = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        return "".join(
            output_text(o)
            for cell in nbformat.read(path, as_version=4).cells
            for o in cell.get("outputs", [])
        )

    assert "OutputLimitExceeded" in shown("flood_small_keys")
    filled = shown("fill_connection_dir").split("connection dir full after")[1]
    assert int(filled.split()[0]) * MIB < Sandbox().scratch_size
    memory = re.findall(r"peak held (\d+) MiB by 6 processes; (\d+)", shown("exhaust_total_memory"))
    assert int(memory[0][0]) * MIB < Sandbox().total_memory_limit and int(memory[0][1]) >= 1


def test_cgroups_left_empty_are_swept_but_not_live_ones(tmp_path):
    """A kernel cgroup that outlived its remove() (slow exit) is deleted by the next kernel;
    one still in use is not."""
    fake_cgroupfs(tmp_path, HYBRID_MOUNTINFO, HYBRID_CGROUP, "hugetlb\n")
    first, _ = cgroup.create(1024**3, 16, root=tmp_path)
    cgroup._live.difference_update(first.directories)  # as if remove() had given up
    for directory in first.directories:  # cgroupfs control files never block rmdir
        for control in directory.iterdir():
            control.unlink()
    second, _ = cgroup.create(1024**3, 16, root=tmp_path)
    assert not any(d.exists() for d in first.directories)
    assert all(d.exists() for d in second.directories)
    third, _ = cgroup.create(1024**3, 16, root=tmp_path)
    assert all(d.exists() for d in second.directories + third.directories)


def test_consecutive_stream_chunks_become_one_output():
    """What a cell prints arrives in chunks whose boundaries depend on timing; the graded
    notebook keeps one output per run of the same stream, so it does not depend on how busy
    the machine was (the text itself is kept exactly, carriage returns included)."""
    from pglab.preprocessors.sandboxed_execute import merge_streams

    def stream(name, text):
        return nbformat.v4.new_output("stream", name=name, text=text)

    chunked = nbformat.v4.new_code_cell("print(...)")
    chunked.outputs = [
        stream("stdout", "a\n"),
        stream("stdout", "b\r"),
        stream("stdout", "c\n"),
        stream("stderr", "warning\n"),
        nbformat.v4.new_output("error", ename="E", evalue="v", traceback=[]),
        stream("stdout", "d"),
    ]
    whole = nbformat.v4.new_code_cell("print(...)")
    whole.outputs = [
        stream("stdout", "a\nb\rc\n"),
        stream("stderr", "warning\n"),
        nbformat.v4.new_output("error", ename="E", evalue="v", traceback=[]),
        stream("stdout", "d"),
    ]
    merge_streams(chunked)
    assert chunked.outputs == whole.outputs
