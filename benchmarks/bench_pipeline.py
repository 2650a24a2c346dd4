"""Throughput of `pglab grade` against stock serial `nbgrader autograde`, in one run.

Builds a class of N submissions from the test corpora (mutants, correct variants and the
solution, cycled; every file distinct, so that no copy is graded once for several), grades
it with stock nbgrader (its default autograde pipeline, serial) and with `pglab grade --jobs
J` for each J given, and prints submissions per second, the ratio to stock, peak memory, and
where a submission's time goes (medians).

With ``--cluster W`` it also starts a Dask scheduler and W one-thread workers on 127.0.0.1
(each in an empty directory), grades the same class with ``pglab grade --scheduler`` and
prints the overhead per submission against ``--jobs W``, in percent.

Run: ``python benchmarks/bench_pipeline.py --students 60 --jobs 1 2 --cluster 2``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import signal
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
        notebook = build_submission(release, source, text)
        # Each file its own bytes: `pglab grade` grades byte-identical files once, and the
        # cycled texts repeat past the corpus's size; stock nbgrader would run every copy.
        notebook.metadata["pglab_benchmark_student"] = index
        add_submission(course, ASSIGNMENT, f"s{index:03d}", notebook)


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=nbgrader_env(), check=True, capture_output=True)
    return time.perf_counter() - started


def start_cluster(root: Path, workers: int) -> tuple[str, list[subprocess.Popen]]:
    """A `dask scheduler` and `workers` one-thread `dask worker`s on loopback."""
    root.mkdir(parents=True)
    info = root / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    options = {"env": nbgrader_env(), "start_new_session": True, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(info)],
            cwd=root, **options,
        )
    ]  # fmt: skip
    while not info.is_file() or not info.read_text().strip():
        time.sleep(0.2)
    address = json.loads(info.read_text())["address"]
    for index in range(workers):
        home = root / f"worker{index}"
        home.mkdir()
        processes.append(
            subprocess.Popen(
                [*dask, "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                 "--no-dashboard", "--local-directory", str(home)],
                cwd=home, **options,
            )
        )  # fmt: skip
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=180)
    return address, processes


def stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--cluster", type=int, default=0, help="also grade on a local Dask cluster of N workers"
    )
    parser.add_argument("--skip-stock", action="store_true", help="do not time stock nbgrader")
    parser.add_argument("--workdir", default="/tmp/pglab-bench-pipeline")
    args = parser.parse_args()
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    template = scratch_course(REPOSITORY, work / "template", [ASSIGNMENT])
    build_class(template, args.students)
    n = args.students

    print(f"{n} submissions, {len(args.jobs)} pglab runs, one machine, one run of this script")
    stock_seconds = float("nan")
    if not args.skip_stock:
        stock = work / "stock"
        shutil.copytree(template, stock)
        (stock / "nbgrader_config.py").write_text(STOCK_CONFIG)
        stock_seconds = timed([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], stock)
        rate = n / stock_seconds
        print(f"stock nbgrader autograde (serial): {stock_seconds:7.1f} s  {rate:.3f}/s")

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
    if args.cluster:
        course = work / "pglab-cluster"
        shutil.copytree(template, course)
        address, processes = start_cluster(work / "dask", args.cluster)
        try:
            seconds = timed(
                [sys.executable, "-m", "pglab", "grade", ASSIGNMENT, "--scheduler", address,
                 "--quiet", "--no-feedback"],
                course,
            )  # fmt: skip
        finally:
            stop(processes)
        print(
            f"pglab grade --scheduler ({args.cluster} workers): {seconds:7.1f} s  "
            f"{n / seconds:.3f}/s  {seconds / n:.2f} s per submission"
        )
        # The client's serial tail: nbgrader generate_feedback over the whole class.
        feedback = timed(
            [sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force"], course
        )
        print(f"client: generate_feedback {feedback:6.1f} s  {feedback / n:.2f} s per submission")
        local = {jobs: secs for jobs, secs, _ in rows}.get(args.cluster)
        if local:
            percent = 100 * (seconds / local - 1)
            print(
                f"cluster overhead against --jobs {args.cluster}: "
                f"{(seconds - local) / n:+.2f} s per submission ({percent:+.1f} %)"
            )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of one child process: {peak:.0f} MiB")

    state = rows[-1][2] / ".pglab" / "grade" / ASSIGNMENT
    timings = [json.loads(p.read_text())["timings"] for p in state.glob("*.json")]
    # write: the client's cost per result (gradebook, autograded notebook, state file).
    for step in ("sanitize", "execute", "judge", "total", "write"):
        values = [t[step] for t in timings if step in t]
        print(f"  median {step:<9} {statistics.median(values):6.2f} s per submission")
    return 0


if __name__ == "__main__":
    sys.exit(main())
