"""Throughput of `pglab grade` against stock serial `nbgrader autograde`, in one run.

Builds a class of N submissions from the test corpora (mutants, correct variants and the
solution, cycled), grades it with stock nbgrader (its default autograde pipeline, serial)
and with `pglab grade --jobs J` for each J given, and prints submissions per second, the
ratio to stock, peak memory, and where a submission's time goes (medians).

Run: ``python benchmarks/bench_pipeline.py --students 60 --jobs 1 2``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from pglab.course import add_submission, nbgrader_env, scratch_course
from pglab.submissions import build_submission

REPOSITORY = Path(__file__).resolve().parent.parent
ASSIGNMENT = "reinforce"
STOCK_CONFIG = """
c = get_config()
c.CourseDirectory.course_id = "pglab"
c.Execute.timeout = 120
"""


def build_class(course: Path, students: int) -> None:
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    corpus = sorted((REPOSITORY / "tests" / "corpus").glob("[mc]*/*.py"))
    texts = ['"""solution"""\n'] + [p.read_text() for p in corpus]
    for index, text in zip(range(students), itertools.cycle(texts), strict=False):
        add_submission(course, ASSIGNMENT, f"s{index:03d}", build_submission(release, source, text))


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=nbgrader_env(), check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workdir", default="/tmp/pglab-bench-pipeline")
    args = parser.parse_args()
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    template = scratch_course(REPOSITORY, work / "template", [ASSIGNMENT])
    build_class(template, args.students)
    n = args.students

    stock = work / "stock"
    shutil.copytree(template, stock)
    (stock / "nbgrader_config.py").write_text(STOCK_CONFIG)
    stock_seconds = timed([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], stock)
    print(f"{n} submissions, {len(args.jobs)} pglab runs, one machine, one run of this script")
    print(f"stock nbgrader autograde (serial): {stock_seconds:7.1f} s  {n / stock_seconds:.3f}/s")

    rows = []
    for jobs in args.jobs:
        course = work / f"pglab-j{jobs}"
        shutil.copytree(template, course)
        seconds = timed(
            [
                sys.executable,
                "-m",
                "pglab",
                "grade",
                ASSIGNMENT,
                "--jobs",
                str(jobs),
                "--quiet",
                "--no-feedback",
            ],
            course,
        )
        rows.append((jobs, seconds, course))
        print(
            f"pglab grade --jobs {jobs}:              {seconds:7.1f} s  {n / seconds:.3f}/s  "
            f"x{stock_seconds / seconds:.2f} stock"
        )
    base = rows[0][1]
    for jobs, seconds, _ in rows[1:]:
        print(
            f"scaling --jobs {rows[0][0]} -> {jobs}: x{base / seconds:.2f} "
            f"(linear: x{jobs / rows[0][0]:.0f})"
        )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of one child process: {peak:.0f} MiB")

    state = rows[-1][2] / ".pglab" / "grade" / ASSIGNMENT
    timings = [json.loads(p.read_text())["timings"] for p in state.glob("*.json")]
    for step in ("sanitize", "execute", "judge", "total"):
        values = [t[step] for t in timings if step in t]
        print(f"  median {step:<9} {statistics.median(values):6.2f} s per submission")
    return 0


if __name__ == "__main__":
    sys.exit(main())
