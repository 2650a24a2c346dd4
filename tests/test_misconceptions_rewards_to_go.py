"""The rewards_to_go misconception catalogue: complete, backed by its mutants, recognisable."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter

import nbformat
import numpy as np
import pytest
from support import CORPUS, REPOSITORY, REWARDS_TO_GO_API, REWARDS_TO_GO_KERNEL

from pglab.checks.callees import Callee, blame_callees
from pglab.checks.verdict import agrees
from pglab.judge import judge_notebook
from pglab.misconceptions.rewards_to_go import CATALOGUE
from pglab.probes.rewards_to_go import PROBES
from pglab.records import PartRecord
from pglab.reference import rewards_to_go as ref
from pglab.submissions import corpus_settings, overrides_from_python, solution_code

# Which cells each mutant fails is the subject here; the verdicts' figures are drawn by the
# graded corpus classes (tests/conftest.py: without_verdict_figures).
pytestmark = pytest.mark.usefixtures("without_verdict_figures")

MUTANTS = sorted((CORPUS / "rewards_to_go" / "mutants").glob("*.py"))

API = REWARDS_TO_GO_API

#: The mistakes issue 7 names, each by at least one entry.
ISSUE_TOPICS = {
    "off-by-one in rewards-to-go": {"rewards_to_go.excludes_current", "rewards_to_go.shifted"},
    "discounting from the episode start": {"rewards_to_go.from_episode_start"},
    "summing future rewards in the wrong direction": {"rewards_to_go.past_rewards"},
    "a baseline that depends on the action": {"baseline.action_dependent"},
    "advantages normalised over the wrong axis": {
        "baseline.normalised_over_time",
        "baseline.normalised_over_batch",
    },
    "mean versus sum over the batch": {
        "discounted_returns.sum_over_batch",
        "reinforce.batch_mean",
        "total_return.batch_mean",
        "rtg_estimator.batch_mean",
    },
    "mean versus sum over time": {
        "discounted_returns.mean_over_time",
        "total_return.mean_over_time",
    },
}


def test_catalogue_has_unique_ids_and_covers_every_function():
    ids = [m.id for m in CATALOGUE]
    assert len(ids) == len(set(ids)) and len(ids) >= 15
    per_function = Counter(m.function for m in CATALOGUE)
    assert set(per_function) == set(API)
    assert all(len(m.feedback) >= 40 and m.feedback.endswith(".") for m in CATALOGUE)


def test_catalogue_covers_the_mistakes_the_issue_names():
    ids = {m.id for m in CATALOGUE}
    missing = {topic: names - ids for topic, names in ISSUE_TOPICS.items() if names - ids}
    assert not missing


def test_every_catalogue_entry_has_a_mutant_and_every_mutant_an_entry():
    named = [corpus_settings(p.read_text()).get("MISCONCEPTION") for p in MUTANTS]
    assert len(named) == len(set(named))
    assert set(named) == {m.id for m in CATALOGUE}
    for path in MUTANTS:
        assert path.stem == corpus_settings(path.read_text())["MISCONCEPTION"].replace(".", "_")


# --------------------------------------------------------------------------- inputs


@functools.cache
def graded_calls(function: str) -> list[tuple]:
    """Every argument tuple any probe passes to ``function`` (rebuilt from the seeds), as
    the grader compares them: the cells that test it and the cells that record it as a
    callee."""
    return [
        args
        for probe in PROBES
        for part, calls in zip(probe.parts, probe.rebuild_inputs(), strict=True)
        if part.function == function
        for args in calls[:100]
    ]


def test_every_api_function_is_probed():
    assert all(graded_calls(function) for function in API)


# --------------------------------------------------------------------------- imitations


def _as_array(value) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


@pytest.mark.parametrize("mistake", CATALOGUE, ids=lambda m: m.id)
def test_every_mistake_differs_from_the_truth(mistake):
    """An imitation that equals the reference on every graded input could never be told apart
    from a correct answer, so it would be a useless (or wrong) catalogue entry."""
    truth = getattr(ref, mistake.function)
    with np.errstate(all="ignore"):
        assert any(
            not agrees(_as_array(mistake.imitate(*args)), _as_array(truth(*args)))
            for args in graded_calls(mistake.function)
        )


def reference_namespace() -> dict:
    return REWARDS_TO_GO_KERNEL.reference_namespace()


def mutant_functions(path) -> dict:
    """The API functions a mutant file defines, in a namespace where the rest is the
    reference (as in a notebook filled with the solution)."""
    namespace = reference_namespace()
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - our corpus
    return {name: namespace[name] for name in API if namespace[name] is not getattr(ref, name)}


BY_ID = {m.id: m for m in CATALOGUE}


@pytest.mark.parametrize("path", MUTANTS, ids=lambda p: p.stem)
def test_mutant_computes_its_imitation(path):
    """Each mutant overrides exactly the function of its entry, and returns what the entry's
    imitation returns on every graded input, so the grader names the mutant's mistake."""
    mistake = BY_ID[corpus_settings(path.read_text())["MISCONCEPTION"]]
    functions = mutant_functions(path)
    assert set(functions) == {mistake.function}
    student = functions[mistake.function]
    with np.errstate(all="ignore"):
        for args in graded_calls(mistake.function):
            assert agrees(_as_array(student(*args)), _as_array(mistake.imitate(*args))), args


@pytest.mark.parametrize("mistake", CATALOGUE, ids=lambda m: m.id)
def test_no_earlier_entry_hides_a_mistake(mistake):
    """The grader names the first entry whose imitation matches every call, so an entry that
    an earlier one of the same function imitates on every graded input would never be named."""
    earlier = [m for m in CATALOGUE[: CATALOGUE.index(mistake)] if m.function == mistake.function]
    calls = graded_calls(mistake.function)
    with np.errstate(all="ignore"):
        for other in earlier:
            assert any(
                not agrees(_as_array(other.imitate(*args)), _as_array(mistake.imitate(*args)))
                for args in calls
            ), other.id


def test_non_finite_imitations_match_only_the_same_non_finite_values():
    """Imitations of overflow mistakes return inf or nan; the relative tolerance must not let
    an infinite imitation match any finite output, and nan must match nan."""
    inf = np.inf
    assert agrees(np.array([np.nan, -inf, 1.0]), np.array([np.nan, -inf, 1.0]))
    assert not agrees(np.array([0.0, -inf]), np.array([-inf, -inf]))
    assert not agrees(np.array([inf]), np.array([-inf]))
    assert not agrees(np.array([np.nan]), np.array([0.0]))


# --------------------------------------------------------------------------- in-process grading

SOURCE = REPOSITORY / "source" / "rewards_to_go" / "rewards_to_go.ipynb"


@functools.cache
def solution_cells() -> dict[str, str]:
    return solution_code(nbformat.read(SOURCE, as_version=4))


def notebook_functions(corpus_text: str) -> dict:
    """The API functions as a notebook filled by ``build_submission`` defines them: the
    solution's cells, then the corpus file's functions, all in one namespace, so a solution
    function calls the mutant's version of its helpers (as in the kernel)."""
    namespace = {"np": np, "math": math}
    settings = corpus_settings(corpus_text)
    keep = settings.get("KEEP_STUBS", [])
    cells = dict(solution_cells())
    for name in API if keep == "all" else keep:
        cells[name] = f"def {name}(*args, **kwargs):\n    raise NotImplementedError()"
    cells.update(overrides_from_python(corpus_text, set(API)))
    for name in API:
        exec(compile(cells[name], name, "exec"), namespace)  # noqa: S102 - solution / corpus
    return {name: namespace[name] for name in API}


@functools.cache
def _assignment():
    from pglab.assignments import ASSIGNMENTS

    return ASSIGNMENTS["rewards_to_go"]


SOLUTION = '"""The solution."""\n'


def recorded(corpus_text: str) -> dict[str, list]:
    """grade_id -> the outputs each probe shows in a kernel running this submission."""
    functions = notebook_functions(corpus_text)
    with np.errstate(all="ignore"):
        return {
            grade_id: REWARDS_TO_GO_KERNEL.record(probe, **functions)
            for grade_id, probe in _assignment().probes.items()
        }


def failing_cells(corpus_text: str) -> dict[str, str | None]:
    """grade_id -> diagnosis of every autograded cell that fails, judged in this process as
    the grader judges a notebook: the submission's code above every probe cell, excuses
    settled across cells (``judge_notebook``)."""
    verdicts = _verdicts(corpus_text)
    return {g: v.misconception for g, v in verdicts.items() if not v.passed}


def cells_for_a_ta(corpus_text: str) -> set[str]:
    """The autograded cells grading leaves to a TA (``write_verdicts.for_a_ta``)."""
    from pglab.preprocessors.write_verdicts import for_a_ta

    return {g for g, v in _verdicts(corpus_text).items() if for_a_ta(v)}


@functools.cache
def _verdicts(corpus_text: str):
    cells = [{"cell_type": "code", "metadata": {}, "source": corpus_text, "outputs": []}]
    cells += [
        {
            "cell_type": "code",
            "metadata": {"nbgrader": {"grade_id": grade_id}},
            "source": "",
            "outputs": outputs,
        }
        for grade_id, outputs in recorded(corpus_text).items()
    ]
    return judge_notebook(_assignment(), cells)


def test_the_solution_fails_no_cell_in_process():
    assert failing_cells(SOLUTION) == {}


@pytest.mark.parametrize("path", MUTANTS, ids=lambda p: p.stem)
def test_mutant_fails_exactly_its_cells_in_process(path):
    """Quick check of each mutant against the probes and checks without nbgrader (the
    pipeline test is the authority): it fails exactly the cells in FAILS, and the cell that
    tests its function names its mistake."""
    text = path.read_text()
    settings = corpus_settings(text)
    failed = failing_cells(text)
    assert sorted(failed) == sorted(settings["FAILS"])
    assert sorted(cells_for_a_ta(text)) == sorted(settings.get("FOR_A_TA", []))
    own = f"test_{BY_ID[settings['MISCONCEPTION']].function}"
    assert failed[own] == settings["MISCONCEPTION"]


def test_a_helper_of_the_wrong_shape_explains_nothing():
    """A callee formula that cannot use the student's helper values (discounted_returns summed
    over the wrong axis) means "not explained by the helper", not a grader crash."""
    rewards = np.ones((3, 2))
    calls = [(np.zeros((2, 2)), np.zeros((3, 2), int), np.zeros((3, 2), int), rewards, 0.5)]
    record = PartRecord("reinforce_total_return", [np.zeros((3, 2, 2))], [3], [])
    helper = Callee(
        "discounted_returns",
        PartRecord("discounted_returns", [np.ones(2)], [1], []),
        [(rewards, 0.5)],
        ref.discounted_returns,
    )

    def formula(args, values):
        return np.reshape(values["discounted_returns"], (3,))

    assert blame_callees(record, calls, [helper], formula) is None


def test_every_diagnosis_the_checks_name_is_catalogued():
    """Checks may name a mistake themselves (a shape that is a batch mean, a mean of -grad J);
    each such id must be an entry, so the report and the TA's search find its sentence."""
    source = (REPOSITORY / "autograder" / "pglab" / "checks" / "rewards_to_go.py").read_text()
    named = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', source))
    assert named and named <= {m.id for m in CATALOGUE}


#: A helper that raises on purpose, and callers that only call it: an attack on one bug, one
#: charge (a review found it kept 28 of 30 points while every excuse was unverified).
RAISING_HELPER = """
def softmax(theta):
    raise ValueError("still working on this one")


def grad_log_softmax(theta, actions):
    softmax(theta)
    return 0.0


def expected_reward(theta, means):
    softmax(theta)
    return 0.0


def exact_gradient(theta, means):
    softmax(theta)
    return 0.0


def step_scores(theta, states, actions):
    softmax(theta)
    return 0.0


def state_values(theta, mdp):
    softmax(theta)
    return 0.0
"""


def test_callers_of_a_helper_that_raises_everywhere_get_no_automatic_points():
    """Every caller that could not be checked on any value goes to a TA: no cell keeps
    automatic points on the strength of a helper's errors alone."""
    from pglab.preprocessors.write_verdicts import for_a_ta

    verdicts = _verdicts(RAISING_HELPER)
    automatic = {g for g, v in verdicts.items() if v.passed and not for_a_ta(v)}
    for_ta = {g for g, v in verdicts.items() if for_a_ta(v)}
    # what keeps automatic points is only what never calls softmax
    assert automatic <= {"test_discounted_returns", "test_rewards_to_go", "test_log_softmax"}
    assert {"test_grad_log_softmax", "test_step_scores", "test_reinforce_estimates"} <= for_ta
    for grade_id in for_ta:
        assert "no automatic score" in verdicts[grade_id].summary, grade_id
        helpers = verdicts[grade_id].excused_by
        assert helpers and all(f"test_{h}" in verdicts[grade_id].text() for h in helpers)


def test_judging_a_notebook_parses_each_cell_once(monkeypatch):
    """The judge reads the student's code in the grading process, outside the sandbox's
    limits: each cell is parsed once per notebook, whatever the number of grade cells and
    excuses that look at it (a review made one notebook take minutes by making every look-up
    walk every cell)."""
    from pglab.checks import verdict as verdict_module

    parsed = []
    real = verdict_module._parse

    def counting(source):
        parsed.append(source)
        return real(source)

    monkeypatch.setattr(verdict_module, "_parse", counting)
    cells = [{"cell_type": "code", "metadata": {}, "source": RAISING_HELPER, "outputs": []}]
    cells += [
        {
            "cell_type": "code",
            "metadata": {"nbgrader": {"grade_id": grade_id}},
            "source": f"# {grade_id}",
            "outputs": outputs,
        }
        for grade_id, outputs in recorded(RAISING_HELPER).items()
    ]
    judge_notebook(_assignment(), cells)
    assert parsed.count(RAISING_HELPER) == 1
    assert len(parsed) == len(set(parsed))
