"""How `make test` hands the tests to its pytest-xdist workers (``--dist loadgroup``).

`make test` uses ``--dist loadfile`` (``schedule(..., whole_files=True)``): whole files,
longest first, each in its own order. pytest-xdist 3.8's ``loadgroup`` does not group under
pytest 9 (it renames ``item._nodeid``, which pytest 9 no longer reads), so the split units
below only order the files; they would split them again under a pytest-xdist that groups.

A *unit* is what one worker runs from start to end: a whole test file, as ``--dist
loadfile`` does, except in the files of ``SPLIT_FILES``, where each test is a unit of its
own unless it shares a module- or class-scoped fixture with other tests (then all of them
are one unit, so the fixture is still built once). Units are started longest first
(``UNIT_SECONDS``), so that no worker is left alone with a long unit at the end while the
other one idles; units not listed there start after the listed ones, those that run the
grading pipeline first.

Grouping and order change only which worker runs a test and when, never what it checks.

Not in effect (found 2026-11-30): pytest-xdist's workers collect the tests and run the
collection hook that calls ``schedule``, and pytest-xdist sets their ``dist`` option to
"no", so ``tests/conftest.py`` never calls it under `make test`; the files go out in
collection order. A traced run had the three workers end within a minute of each other
(831, 863 and 890 s), so the order is worth at most that; applying it is left for a round
that can measure it.
"""

from __future__ import annotations

import pytest

#: Files whose tests are independent of each other but for their module fixtures: each
#: grades its own scratch course (their tests share no state but the fixtures).
SPLIT_FILES = frozenset(
    {
        "tests/test_cluster.py",
        "tests/test_isolation.py",
        "tests/test_pglab_grade.py",
        "tests/test_sandbox.py",
        "tests/test_semester.py",
    }
)

#: Seconds the longest units took (``--durations`` of a full fresh-clone run with two
#: workers, 2026-11-29, on the 2-core machine while other jobs shared it: about twice the
#: time on a quiet machine). Only their order matters: a stale figure makes the schedule
#: worse, never a test wrong. A split file's unit is named by its first test.
UNIT_SECONDS: dict[str, float] = {
    # grades the reinforce and rewards_to_go corpora (graded_class, graded_rewards_to_go)
    "tests/test_grading_pipeline.py": 1150,
    "tests/test_semester.py::test_pglab_grade_saves_the_late_penalty_nbgrader_autograde_saves": 490,
    "tests/hub/test_hub_journeys.py": 560,
    "tests/test_blame.py": 340,  # the graded corpora too, if it asks first
    "tests/test_sandbox.py::test_autograde_completes_for_every_student": 310,
    "tests/test_pglab_grade.py::test_second_run_regrades_only_new_or_changed_submissions": 280,
    "tests/test_pglab_grade.py::test_repairable_submissions_earn_full_marks": 215,
    "tests/test_feedback.py": 190,
    "tests/test_misconceptions_rewards_to_go.py": 150,
    "tests/browser/test_journeys.py": 150,
    "tests/test_pglab_grade.py::test_an_interrupted_run_loses_nothing_already_graded": 150,
    "tests/test_cluster.py::test_cluster_grades_exactly_as_the_local_pool": 150,
    "tests/test_release.py": 140,
    "tests/test_isolation.py::test_pglab_grade_grades_everyone_but_the_bad_timestamp": 136,
    "tests/test_isolation.py::test_a_killed_run_leaves_nothing_running_and_loses_nothing": 125,
    "tests/test_isolation.py::test_nbgrader_autograde_grades_everyone_but_the_bad_timestamp": 122,
    "tests/test_cluster.py::test_an_interrupted_cluster_run_resumes_like_a_local_one": 116,
    "tests/test_pglab_grade_rewards_to_go.py": 114,
    "tests/test_pglab_grade.py::test_lms_zip_export": 104,
    "tests/test_semester.py::test_every_verb_on_a_fresh_clone_says_what_to_do": 136,
    "tests/test_cli_path.py": 103,
    "tests/test_sandbox.py::test_pglab_grade_bounds_the_resource_attacks": 100,
    "tests/test_cluster.py::test_a_submission_that_kills_every_worker_is_given_up_and_the_rest_graded": 98,  # noqa: E501
    "tests/test_cluster.py::test_tls_scheduler_with_certificates_from_the_config": 95,
    "tests/test_isolation.py::test_a_display_name_cannot_take_a_classmates_grade": 92,
    "tests/test_cluster.py::test_unfit_workers_are_refused_before_any_grading": 61,
    "tests/test_cluster.py::test_a_worker_killed_mid_run_costs_nothing": 56,
    "tests/test_isolation.py::test_a_dying_worker_is_charged_to_its_own_submission_only": 42,
    "tests/test_tamper.py": 40,
    "tests/test_probes.py": 40,
    "tests/test_pglab_grade.py::test_refuses_without_sandbox_unless_told": 29,
}

#: Where a unit not in UNIT_SECONDS goes: one that asks for a graded corpus class (a session
#: fixture ``graded_*``, graded by the first worker that asks) among the longest, one that
#: runs the pipeline before the rest.
UNLISTED_GRADED_CLASS_SECONDS = 600.0
UNLISTED_PIPELINE_SECONDS = 30.0


def unit_names(items: list[pytest.Item]) -> dict[pytest.Item, str]:
    """item -> the name of its unit: the file, or in a split file the nodeid of the unit's
    first test (its function name without parameters)."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_user: dict[int, int] = {}  # id(fixture definition) -> index of its first user
    by_file: dict[str, int] = {}
    for index, item in enumerate(items):
        path = item.nodeid.split("::")[0]
        if path not in SPLIT_FILES:
            parent[find(index)] = find(by_file.setdefault(path, index))
            continue
        info = getattr(item, "_fixtureinfo", None)
        for definitions in info.name2fixturedefs.values() if info else ():
            for definition in definitions:
                if definition.scope in ("class", "module", "package"):
                    other = first_user.setdefault(id(definition), index)
                    parent[find(index)] = find(other)
    leader: dict[int, int] = {}  # a unit's root -> index of its first item
    names = {}
    for index, item in enumerate(items):
        root = items[leader.setdefault(find(index), index)]
        path = root.nodeid.split("::")[0]
        names[item] = path if path not in SPLIT_FILES else root.nodeid.split("[")[0]
    return names


def schedule(items: list[pytest.Item], whole_files: bool = False) -> None:
    """Mark every item with its unit (``xdist_group``) and sort the items so that the units
    come longest first; within a unit the collection order is kept.

    ``whole_files`` (``--dist loadfile``, what `make test` uses): a worker runs a whole file,
    so files come longest first (the sum of their units' seconds) and every file keeps its
    own collection order."""
    names = unit_names(items)
    first: dict[str, int] = {}
    pipeline: set[str] = set()
    graded: set[str] = set()
    for index, item in enumerate(items):
        first.setdefault(names[item], index)
        if any(item.get_closest_marker(m) for m in ("pipeline", "browser", "hub")):
            pipeline.add(names[item])
        if any(name.startswith("graded_") for name in getattr(item, "fixturenames", ())):
            graded.add(names[item])

    def seconds(unit: str) -> float:
        if unit in UNIT_SECONDS:
            return UNIT_SECONDS[unit]
        if unit in graded:
            return UNLISTED_GRADED_CLASS_SECONDS
        return UNLISTED_PIPELINE_SECONDS if unit in pipeline else 0.0

    for item in items:
        item.add_marker(pytest.mark.xdist_group(names[item]))
    if whole_files:
        files: dict[str, float] = {}
        for unit in first:
            path = unit.split("::")[0]
            files[path] = files.get(path, 0.0) + seconds(unit)
        start: dict[str, int] = {}
        for index, item in enumerate(items):
            start.setdefault(item.nodeid.split("::")[0], index)

        def key(pair):
            index, item = pair
            path = item.nodeid.split("::")[0]
            return (-files[path], start[path], index)

        items[:] = [item for _, item in sorted(enumerate(items), key=key)]
        return
    order = {item: (-seconds(names[item]), first[names[item]], i) for i, item in enumerate(items)}
    items.sort(key=order.__getitem__)
