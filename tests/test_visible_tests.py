"""The visible tests blame the right function.

Each visible test (the part of a graded test cell a student sees and runs) checks its own
function against independently computed values, never through the student's other
functions. So, for every mutant of the corpora, the visible tests that fail are those of the
mutated function and of functions that call it in that submission, and each failure message
names the function it is about.

The submission is built exactly as the pipeline builds it (``build_submission``: the release,
filled with the solution and then with the mutant's functions), and its given, solution and
visible-test cells are run here in one namespace, in notebook order, without nbgrader (the
hidden tests are not in the release). Demo cells (plots) are not run.
"""

from __future__ import annotations

import ast
import functools
import traceback
from pathlib import Path

import matplotlib
import nbformat
import pytest
from support import ASSIGNMENTS, REPOSITORY, corpus_files

from pglab.assignments import ASSIGNMENTS as REGISTRY
from pglab.submissions import build_submission, corpus_settings, solution_code

matplotlib.use("Agg")


@functools.cache
def _notebooks(assignment: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    release = REPOSITORY / "release" / assignment / f"{assignment}.ipynb"
    source = REPOSITORY / "source" / assignment / f"{assignment}.ipynb"
    return nbformat.read(release, as_version=4), nbformat.read(source, as_version=4)


def _api(assignment: str) -> set[str]:
    return set(solution_code(_notebooks(assignment)[1]))


def _code(cell) -> str:
    return "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%"))


def _names(code: str, api: set[str]) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name) and n.id in api}


def visible_tests(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> visible code of every autograded test cell."""
    return {
        c.metadata["nbgrader"]["grade_id"]: _code(c)
        for c in notebook.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    }


def affected(submission: nbformat.NotebookNode, api: set[str], broken: set[str]) -> set[str]:
    """The broken functions and every API function that calls one, directly or not, in this
    submission's code."""
    calls = {
        c.metadata["nbgrader"]["grade_id"]: _names(_code(c), api)
        - {c.metadata["nbgrader"]["grade_id"]}
        for c in submission.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id") in api
    }
    found = set(broken)
    while True:
        more = {f for f, callees in calls.items() if callees & found} - found
        if not more:
            return found
        found |= more


def run_visible(submission: nbformat.NotebookNode) -> dict[str, BaseException]:
    """Run the submission's given, solution and visible-test cells in notebook order; the
    exception each failing test cell raised, by grade_id."""
    namespace: dict = {"__name__": "__main__"}
    failures = {}
    for cell in submission.cells:
        meta = cell.metadata.get("nbgrader")
        if cell.cell_type != "code" or not meta:
            continue  # demo cells (plots) and markdown
        try:
            exec(compile(_code(cell), meta["grade_id"], "exec"), namespace)  # noqa: S102
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # noqa: BLE001 - any failure is a finding
            if not meta.get("grade"):
                what = f"cell {meta['grade_id']} (not a test) raised {error!r}"
                raise AssertionError(what) from error
            failures[meta["grade_id"]] = error
    return failures


def blame_problems(assignment: str, corpus_text: str, submission=None) -> list[str]:
    """Every way the visible tests of this mutant blame the wrong function."""
    release, source = _notebooks(assignment)
    api = _api(assignment)
    settings = corpus_settings(corpus_text)
    submission = submission or build_submission(release, source, corpus_text)
    keep = settings.get("KEEP_STUBS", [])
    broken = (api if keep == "all" else set(keep)) | (
        {n.name for n in ast.parse(corpus_text).body if isinstance(n, ast.FunctionDef)} & api
    )
    suspects = affected(submission, api, broken)
    tests = visible_tests(submission)
    problems = []
    for grade_id, error in run_visible(submission).items():
        tested = _names(tests[grade_id], api)
        blamed = tested & suspects
        if not blamed:
            problems.append(
                f"{grade_id} (tests {sorted(tested)}) fails, but the mistake is in "
                f"{sorted(broken)}: {type(error).__name__}: {error}"
            )
            continue
        message = str(error)
        frames = {frame.name for frame in traceback.extract_tb(error.__traceback__)}
        if not any(name in message for name in blamed) and not frames & blamed:
            problems.append(f"{grade_id}: the message does not name {sorted(blamed)}: {message!r}")
    return problems


#: Every released assignment: the graded corpora's (support.ASSIGNMENTS) and actor_critic.
RELEASED = tuple(dict.fromkeys((*ASSIGNMENTS, "actor_critic")))

MUTANTS = [
    pytest.param(assignment, path, id=f"{assignment}-{path.stem}")
    for assignment in RELEASED
    for path in corpus_files("mutants", assignment)
]


@pytest.mark.parametrize(("assignment", "path"), MUTANTS)
def test_visible_failures_blame_the_mutated_function(assignment, path: Path):
    """Only the visible tests of the mutated function and of its callers fail, each with a
    message about the function it tests."""
    assert blame_problems(assignment, path.read_text()) == []


def _own_cells(assignment: str, text: str) -> list[str]:
    """The cells in the mutant's FAILS that test a function it changed."""
    mutated = {n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}
    probes = REGISTRY[assignment].probes
    return [g for g in corpus_settings(text)["FAILS"] if probes[g].parts[0].function in mutated]


#: The mutants that lose points in a cell testing a function they changed (the others, such
#: as grad_log_prob_unstable, lose them only in a cell of another function's).
OWN_CELL_MUTANTS = [
    pytest.param(assignment, path, id=f"{assignment}-{path.stem}")
    for assignment in RELEASED
    for path in corpus_files("mutants", assignment)
    if _own_cells(assignment, path.read_text())
]


@pytest.mark.parametrize(("assignment", "path"), OWN_CELL_MUTANTS)
def test_the_mutated_functions_own_visible_test_fails(assignment, path: Path):
    """A visible test that can fail: where a mutant loses the points of a cell that tests the
    function it changed, that cell's visible test (the student's own run of it) fails too, so
    the student hears of the mistake before grading."""
    release, source = _notebooks(assignment)
    text = path.read_text()
    own = _own_cells(assignment, text)
    failed = run_visible(build_submission(release, source, text))
    assert set(own) & set(failed), f"none of {own} fails its visible test"


def test_most_mutants_lose_points_in_a_cell_of_their_own_function():
    assert len(OWN_CELL_MUTANTS) >= len(MUTANTS) - 3


@pytest.mark.parametrize("assignment", RELEASED)
def test_the_solution_passes_every_visible_test(assignment):
    release, source = _notebooks(assignment)
    assert run_visible(build_submission(release, source, "")) == {}


#: The cells whose subject is several functions together, and those functions: every other
#: visible test may call only the function its cell tests.
SEVERAL_FUNCTIONS = {
    ("reinforce", "test_numerical_stability"): {"log_prob", "grad_log_prob"},
    ("rewards_to_go", "test_estimators_unbiased"): {
        "reinforce_total_return",
        "reinforce_rewards_to_go",
        "reinforce_value_baseline",
    },
    ("rewards_to_go", "test_variance_reduction"): {
        "reinforce_total_return",
        "reinforce_rewards_to_go",
        "reinforce_value_baseline",
    },
    ("actor_critic", "test_actor_critic_unbiased"): {"gae_advantages", "surrogate_loss"},
}


@pytest.mark.parametrize("assignment", RELEASED)
def test_each_visible_test_calls_only_the_function_its_cell_tests(assignment):
    """A visible test calls only the function its graded cell tests (the probe's first part;
    the helpers a probe also records are there to excuse a caller, not to be called by its
    visible test), so it cannot fail because of another function the student wrote; the
    cells whose subject is several functions are listed in SEVERAL_FUNCTIONS."""
    release, _ = _notebooks(assignment)
    api = _api(assignment)
    probes = REGISTRY[assignment].probes
    extra = {
        grade_id: sorted(
            _names(code, api)
            - SEVERAL_FUNCTIONS.get((assignment, grade_id), {probes[grade_id].parts[0].function})
        )
        for grade_id, code in visible_tests(release).items()
    }
    assert {g: names for g, names in extra.items() if names} == {}


#: The visible test of estimator_variance before issue 16: a simulation through the
#: student's own reinforce_estimates.
_OLD_VARIANCE_TEST = """
rng = np.random.default_rng(2)
theta, means, stds = 0.5, [1.0, 2.5], [1.0, 0.5]
actions, rewards = sample_bandit(theta, means, stds, 400_000, rng)
for b in (0.0, 1.5):
    simulated = reinforce_estimates(theta, actions, rewards, b).var()
    check_close(estimator_variance(theta, means, stds, b), simulated,
                f"variance with baseline {b} matches a simulation", rtol=0.02)
"""


def test_blame_check_catches_a_test_that_samples_through_another_function():
    """The check is not vacuous: with the old estimator_variance visible test put back, a
    score that is the gradient of pi (not of log pi) fails estimator_variance's correct test,
    and that is reported."""
    release, source = _notebooks("reinforce")
    text = (corpus_files("mutants")[0].parent / "grad_log_prob_dpi.py").read_text()
    submission = build_submission(release, source, text)
    cell = next(
        c
        for c in submission.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "test_estimator_variance"
    )
    # reinforce_estimates calls grad_log_prob, so its own cells may fail; the variance's not.
    cell.source = _OLD_VARIANCE_TEST
    problems = blame_problems("reinforce", text, submission)
    assert any(p.startswith("test_estimator_variance") for p in problems), problems
