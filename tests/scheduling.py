"""The order in which `make test` hands its test files to the pytest-xdist workers.

`make test` runs ``pytest -n N --dist loadfile --no-loadscope-reorder``: a worker runs a
whole test file (its module fixtures are built once), and the files go out in the order the
workers collected them, each to the next worker that is free. ``order_files`` puts the longest
files first (``FILE_SECONDS``), so that the run does not end with one worker alone on a long
file while the other cores idle; within a file the collection order is kept. The order
changes only which worker runs a test and when, never what it checks.

pytest-xdist's workers are what collect the tests, and each worker sees its own ``dist``
option as "no": ``controller_dist`` reads the ``--dist`` of the command that started the run
from the worker's input instead (before 2026-11-30 the order was never applied for that
reason: docs/test-suite.md, sixth and seventh rounds).
"""

from __future__ import annotations

import pytest

#: Wall seconds each file took in a whole `make test` (three workers on the 2-core machine,
#: 2026-11-30, every test timed by a plugin). Only their order matters: a stale figure makes
#: the schedule worse, never a test wrong. test_blame.py asks first for the reinforce and
#: rewards_to_go corpora (``graded_class``, ``graded_rewards_to_go``) and grades them;
#: test_pglab_grade_actor_critic.py grades the actor_critic corpus.
FILE_SECONDS: dict[str, float] = {
    "tests/test_blame.py": 453,
    "tests/test_pglab_grade_actor_critic.py": 245,
    "tests/hub/test_hub_journeys.py": 242,
    "tests/test_cluster.py": 207,
    "tests/test_sandbox.py": 206,
    "tests/test_pglab_grade.py": 215,
    "tests/test_grading_pipeline.py": 151,
    "tests/browser/test_journeys.py": 147,
    "tests/test_semester.py": 137,
    "tests/test_students_who_leave.py": 150,  # alone, on a loaded machine (2026-12-02)
    "tests/test_release_safety.py": 140,  # likewise
    "tests/test_instructor_commands.py": 105,
    "tests/test_isolation.py": 95,
    "tests/test_ta_grades_kept.py": 90,  # alone, on a loaded machine (2026-12-02)
    "tests/test_feedback.py": 87,
    "tests/test_release.py": 86,
    "tests/test_misconceptions_rewards_to_go.py": 63,
    "tests/test_misconceptions_actor_critic.py": 47,
    "tests/test_cli_path.py": 44,
    "tests/test_pglab_grade_rewards_to_go.py": 25,
    "tests/test_probes_actor_critic.py": 18,
    "tests/test_probes.py": 12,
    "tests/test_reference.py": 12,
    "tests/test_reference_rewards_to_go.py": 9,
    "tests/test_misconceptions.py": 8,
    "tests/test_visible_tests.py": 6,
}

#: Where a file not in FILE_SECONDS goes: one that asks for a graded corpus class (a session
#: fixture ``graded_*``) among the longest, one that runs the pipeline, a browser or a hub
#: before the quick ones.
UNLISTED_GRADED_CLASS_SECONDS = 300.0
UNLISTED_PIPELINE_SECONDS = 30.0


def controller_dist(config: pytest.Config) -> str:
    """The ``--dist`` mode of this run: the option itself in the controller or a plain run,
    the controller's command line (``workerinput["mainargv"]``) in a pytest-xdist worker."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return config.getoption("dist", default="no") or "no"
    argv = workerinput.get("mainargv", ())
    for index, argument in enumerate(argv):
        if argument == "--dist" and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith("--dist="):
            return argument.partition("=")[2]
    return "no"


def file_of(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


def seconds(path: str, items: list[pytest.Item]) -> float:
    """The expected seconds of one file (``items`` are its tests)."""
    if path in FILE_SECONDS:
        return FILE_SECONDS[path]
    if any(n.startswith("graded_") for item in items for n in getattr(item, "fixturenames", ())):
        return UNLISTED_GRADED_CLASS_SECONDS
    markers = ("pipeline", "browser", "hub")
    if any(item.get_closest_marker(m) for item in items for m in markers):
        return UNLISTED_PIPELINE_SECONDS
    return 0.0


def order_files(items: list[pytest.Item]) -> None:
    """Sort ``items`` in place: files longest first (ties in collection order), each file's
    tests in their collection order."""
    by_file: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_file.setdefault(file_of(item), []).append(item)
    paths = sorted(by_file, key=lambda p: -seconds(p, by_file[p]))  # stable: ties keep order
    items[:] = [item for path in paths for item in by_file[path]]


def apply(config: pytest.Config, items: list[pytest.Item]) -> None:
    """What ``pytest_collection_modifyitems`` does: under ``--dist loadfile``, in the
    controller or a worker, the longest files first; otherwise nothing."""
    if controller_dist(config) == "loadfile":
        order_files(items)
