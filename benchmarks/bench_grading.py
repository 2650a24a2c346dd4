"""Where grading time goes, and what pglab costs over stock nbgrader, measured in one run.

1. The solution notebook, executed top to bottom (nbclient), as a student would run it.
2. One submission's hidden checks: the probe cells' time in the kernel, plus the CPU time
   of computing every verdict outside it (``judge_notebook``).
3. ``nbgrader autograde`` of the same class with this course's config and with nbgrader's
   stock autograde pipeline (no pglab verdicts), side by side; the ratio is pglab / stock.

Run: ``make benchmark`` (or ``python benchmarks/bench_grading.py --students 4``).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from pglab.assignments import ASSIGNMENTS
from pglab.course import add_submission, run_nbgrader, scratch_course
from pglab.judge import judge_notebook
from pglab.submissions import fill, solution_code

REPOSITORY = Path(__file__).resolve().parent.parent
ASSIGNMENT = "reinforce"
STOCK_CONFIG = """
c = get_config()
c.CourseDirectory.course_id = "pglab"
c.CourseDirectory.solution_directory = "solutions"
c.Execute.timeout = 120
"""


def execute(notebook: nbformat.NotebookNode, cwd: Path) -> float:
    started = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        record_timing=True,
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    return time.perf_counter() - started


def cell_seconds(cell: nbformat.NotebookNode) -> float:
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def autograde_seconds(course: Path) -> float:
    started = time.perf_counter()
    run_nbgrader(course, "autograde", ASSIGNMENT, "--force")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--workdir", default="/tmp/pglab-bench")
    args = parser.parse_args()
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    course = scratch_course(REPOSITORY, work / "pglab", [ASSIGNMENT])

    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solution = nbformat.read(
        REPOSITORY / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4
    )
    for cell in solution.cells:
        cell.outputs = [] if cell.cell_type == "code" else None
        cell.pop("outputs") if cell.cell_type != "code" else None

    print(f"machine: {sys.platform}, python {sys.version.split()[0]}")
    student_seconds = execute(solution, course)
    print(f"1. solution notebook, top to bottom:         {student_seconds:6.2f} s  (budget 20 s)")

    # The autograded form: the submission with the source's hidden probes, executed once.
    graded = fill(source, solution_code(source))
    execute(graded, course)
    probes = ASSIGNMENTS[ASSIGNMENT].probes
    probe_cells = [
        c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") in probes
    ]
    kernel_seconds = sum(cell_seconds(c) for c in probe_cells)
    started = time.process_time()
    verdicts = judge_notebook(ASSIGNMENTS[ASSIGNMENT], graded.cells)
    verdict_cpu = time.process_time() - started
    assert all(v.passed for v in verdicts.values()), "the solution must pass every check"
    print(
        f"2. hidden checks of one submission:          {kernel_seconds + verdict_cpu:6.2f} s  "
        f"(budget 3 s CPU) = probes in kernel {kernel_seconds:.2f} s "
        f"+ verdicts {verdict_cpu:.2f} s CPU"
    )

    for index in range(args.students):
        add_submission(
            course, ASSIGNMENT, f"student{index:02d}", fill(release, solution_code(source))
        )
    stock = work / "stock"
    shutil.copytree(course, stock)
    (stock / "nbgrader_config.py").write_text(STOCK_CONFIG)
    stock_seconds = autograde_seconds(stock)
    ours_seconds = autograde_seconds(course)
    n = args.students
    print(f"3. nbgrader autograde, {n} submissions:")
    print(
        f"   stock nbgrader pipeline: {stock_seconds:6.1f} s  {n / stock_seconds:.3f} submissions/s"
    )
    print(
        f"   with pglab verdicts:     {ours_seconds:6.1f} s  {n / ours_seconds:.3f} submissions/s"
    )
    print(f"   ratio pglab / stock time: {ours_seconds / stock_seconds:.2f}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"   peak memory of a child process: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
