"""What the autograde sandbox costs per submission, measured with and without it in one run.

1. Kernel life cycle, the part the sandbox changes: start a kernel, import numpy and
   matplotlib.pyplot, run a cell, shut down. Repeated; medians of SandboxKernelManager
   against jupyter_client's AsyncKernelManager, and of the sandbox without its cgroup and
   connection-directory tmpfs (what those two cost).
2. ``nbgrader autograde`` of the same submissions (the instructor's solution) in two copies
   of one scratch course, one with ``c.Sandbox.enabled = False``; the difference per
   submission.

Run: ``python benchmarks/bench_sandbox.py [--repeat 10] [--students 4]`` (target: < 0.2 s).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from traitlets.config import Config

from pglab.course import add_submission, run_nbgrader, scratch_course
from pglab.sandbox import SandboxKernelManager
from pglab.submissions import build_submission

REPOSITORY = Path(__file__).resolve().parent.parent
ASSIGNMENT = "reinforce"
CELL = "import numpy as np\nimport matplotlib.pyplot as plt\nprint(np.ones(3).sum())"


def kernel_cycle(manager_class: type, workdir: Path, config: Config | None = None) -> float:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3"}
    started = time.perf_counter()
    NotebookClient(
        notebook,
        kernel_manager_class=manager_class,
        timeout=120,
        resources={"metadata": {"path": str(workdir)}},
        config=config or Config(),
    ).execute()
    elapsed = time.perf_counter() - started
    assert notebook.cells[0].outputs[0]["text"].strip() == "3.0", notebook.cells[0].outputs
    return elapsed


def autograde_seconds(course: Path) -> float:
    started = time.perf_counter()
    run_nbgrader(course, "autograde", ASSIGNMENT, "--force")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "pglab-bench-sb"))
    args = parser.parse_args()
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    (work / "submission").mkdir(parents=True)

    print(f"machine: {sys.platform}, python {sys.version.split()[0]}")
    bare = Config()  # the sandbox without its cgroup and its connection-directory tmpfs
    bare.Sandbox.cgroup = "off"
    bare.Sandbox.scratch_size = 0
    plain, boxed, lean = [], [], []
    for _ in range(args.repeat):  # interleaved, so drift hits all alike
        plain.append(kernel_cycle(AsyncKernelManager, work / "submission"))
        boxed.append(kernel_cycle(SandboxKernelManager, work / "submission"))
        lean.append(kernel_cycle(SandboxKernelManager, work / "submission", bare))
    p, b, n = (statistics.median(x) for x in (plain, boxed, lean))
    print(f"1. kernel start + numpy/matplotlib + one cell + shutdown, median of {args.repeat}:")
    print(f"   without sandbox {p:.3f} s, with sandbox {b:.3f} s, overhead {b - p:+.3f} s")
    print(f"   of which the cgroup and the connection tmpfs: {b - n:+.3f} s")

    if args.students:
        course = scratch_course(REPOSITORY, work / "sandboxed", [ASSIGNMENT])
        source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
        release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
        for index in range(args.students):
            submission = build_submission(release, source, '"""solution"""\n')
            add_submission(course, ASSIGNMENT, f"student{index:02d}", submission)
        unsafe = work / "unsandboxed"
        shutil.copytree(course, unsafe)
        with open(unsafe / "nbgrader_config.py", "a") as config:
            config.write("\nc.Sandbox.enabled = False\n")
        first, second = autograde_seconds(unsafe), autograde_seconds(course)
        n = args.students
        print(f"2. nbgrader autograde, {n} submissions:")
        print(f"   without sandbox {first:.1f} s, with sandbox {second:.1f} s, "
              f"overhead {(second - first) / n:+.2f} s per submission")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
