"""The actor_critic misconception catalogue: complete, backed by its mutants, recognisable, and
its correct variants right, on the inputs the probes build (no nbgrader: the pipeline test,
tests/test_pglab_grade_actor_critic.py, is the authority on scores).

The student's torch losses run here as the probes run them: float64 / int64 tensors in,
``.backward()``, the gradient read off the leaf tensor; the catalogue imitates those
gradients (``pglab.misconceptions.actor_critic``)."""

from __future__ import annotations

import functools
import re
from collections import Counter

import nbformat
import numpy as np
import pytest
from support import CORPUS, REPOSITORY, record_probe

from pglab.assignments import ASSIGNMENTS
from pglab.checks.verdict import agrees
from pglab.judge import judge_notebook
from pglab.misconceptions import actor_critic as cat
from pglab.misconceptions.actor_critic import CATALOGUE
from pglab.probes.actor_critic import PROBES
from pglab.reference import actor_critic_given
from pglab.submissions import corpus_settings, overrides_from_python, solution_code

# Which cells each mutant fails is the subject here; the verdicts' figures are drawn by the
# graded corpus classes (tests/conftest.py: without_verdict_figures).
pytestmark = pytest.mark.usefixtures("without_verdict_figures")

torch = pytest.importorskip("torch")

MUTANTS = sorted((CORPUS / "actor_critic" / "mutants").glob("*.py"))
CORRECT = sorted((CORPUS / "actor_critic" / "correct").glob("*.py"))

#: The student API of actor_critic (docs/actor_critic.md), in notebook order.
API = (
    "surrogate_loss",
    "fit_critic_monte_carlo",
    "critic_td_loss",
    "fit_critic_td0",
    "monte_carlo_advantages",
    "td_errors",
    "n_step_advantages",
    "gae_advantages",
    "advantage_bias_variance",
)
TORCH_FUNCTIONS = ("surrogate_loss", "critic_td_loss")

#: The mistakes issue 17 names, each by at least one entry.
ISSUE_TOPICS = {
    "the GAE recursion run forward": {"gae.forward"},
    "bootstrapping from a value at the horizon": {
        "td.bootstrap_last_value",
        "gae.bootstrap_last_value",
        "critic_td.bootstrap_last_value",
    },
    "delta using V of the wrong step": {"td.wrong_step_value", "critic_td.wrong_step_value"},
    "lambda and gamma swapped": {"gae.lambda_gamma_swapped"},
    "gamma^lambda": {"gae.gamma_power_lambda"},
    "n-step returns past the horizon": {"n_step.past_horizon"},
    "the critic's TD target not held constant": {"critic_td.target_not_constant"},
    "advantages normalised inside the loss": {"surrogate.normalised_in_loss"},
    "no stop-gradient on a learned advantage": {"surrogate.not_detached"},
    "sign": {"surrogate.sign"},
    "mean over time steps instead of sum": {"surrogate.mean_over_steps"},
    "wrong log-prob gather": {
        "surrogate.not_gathered",
        "surrogate.log_softmax_over_states",
        "surrogate.raw_logits",
    },
    "Monte Carlo critic mistakes": {
        "critic_mc.regressed_rewards",
        "critic_mc.undiscounted",
        "critic_mc.total_return",
        "critic_mc.not_time_indexed",
    },
    "fit_critic_td0 mistakes": {
        "critic_td0.forward_in_time",
        "critic_td0.next_value_same_state",
        "critic_td0.no_gamma",
        "critic_td0.monte_carlo_targets",
    },
    "advantage_bias_variance mistakes": {
        "bias_variance.no_gamma_t",
        "bias_variance.covariances_ignored",
        "bias_variance.bias_is_mean",
    },
}

BY_ID = {m.id: m for m in CATALOGUE}


def test_catalogue_has_unique_ids_and_covers_every_function():
    ids = [m.id for m in CATALOGUE]
    assert len(ids) == len(set(ids)) and len(ids) >= 20
    per_function = Counter(m.function for m in CATALOGUE)
    assert set(per_function) == set(API) == set(cat.REFERENCE)
    assert all(len(m.feedback) >= 40 and m.feedback.endswith(".") for m in CATALOGUE)


def test_catalogue_covers_the_mistakes_the_issue_names():
    ids = {m.id for m in CATALOGUE}
    missing = {topic: names - ids for topic, names in ISSUE_TOPICS.items() if names - ids}
    assert not missing


def test_every_catalogue_entry_has_a_mutant_and_every_mutant_an_entry():
    named = [corpus_settings(p.read_text()).get("MISCONCEPTION") for p in MUTANTS]
    assert len(named) == len(set(named)) >= 20
    assert set(named) == {m.id for m in CATALOGUE}
    for path in MUTANTS:
        assert path.stem == corpus_settings(path.read_text())["MISCONCEPTION"].replace(".", "_")
    assert len(CORRECT) >= 8


# --------------------------------------------------------------------------- inputs


@functools.cache
def graded_calls(function: str) -> list[tuple]:
    """Every argument tuple any probe passes to ``function`` (rebuilt from the seeds), as the
    grader compares them, in the imitations' terms: for surrogate_loss only the calls with
    the advantages as an array (the detached cell's critic calls are ``detached_calls``)."""
    return [
        args
        for probe in PROBES
        for part, calls in zip(probe.parts, probe.rebuild_inputs(), strict=True)
        if part.function == function
        for args in calls[:100]
        if function != "surrogate_loss" or len(args) == 4
    ]


@functools.cache
def detached_calls() -> list[tuple]:
    """(logits, states, actions, rewards, values, gamma): surrogate_loss on the TD errors of a
    critic tensor that requires grad."""
    return [
        args
        for probe in PROBES
        for part, calls in zip(probe.parts, probe.rebuild_inputs(), strict=True)
        if part.function == "surrogate_loss"
        for args in calls
        if len(args) == 6
    ]


def test_every_api_function_is_probed():
    assert all(graded_calls(function) for function in API)
    assert detached_calls()


# --------------------------------------------------------------------------- running a student


def _as_array(value) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def run(function: str, student, args, wrt_advantages: bool = False) -> np.ndarray:
    """What the grader compares for one call: the output of a numpy function; for a torch
    loss, its gradient with respect to the logits (surrogate_loss) or the values
    (critic_td_loss), or with respect to the advantages when ``wrt_advantages``."""
    if function == "surrogate_loss":
        logits = torch.tensor(args[0], dtype=torch.float64, requires_grad=True)
        advantages = torch.tensor(args[3], dtype=torch.float64, requires_grad=wrt_advantages)
        loss = student(logits, torch.tensor(args[1]), torch.tensor(args[2]), advantages)
        loss.backward()
        if wrt_advantages:
            grad = advantages.grad
            return np.zeros(np.shape(args[3])) if grad is None else grad.numpy()
        return logits.grad.numpy()
    if function == "critic_td_loss":
        values = torch.tensor(args[0], dtype=torch.float64, requires_grad=True)
        rewards = torch.tensor(args[2], dtype=torch.float64)
        student(values, torch.tensor(args[1]), rewards, float(args[3])).backward()
        return values.grad.numpy()
    return _as_array(student(*args))


def critic_reached(student, args) -> np.ndarray:
    """The gradient that reaches a critic tensor through TD-error advantages (the detached
    cell's question): (T, S), zeros when none did."""
    logits, states, actions, rewards, values, gamma = args
    logits = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    critic = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    states, actions = torch.tensor(states), torch.tensor(actions)
    n, T = states.shape
    following = torch.cat(
        [critic[torch.arange(1, T), states[:, 1:]], torch.zeros((n, 1), dtype=critic.dtype)], 1
    )
    advantages = torch.tensor(rewards) + gamma * following - critic[torch.arange(T), states]
    student(logits, states, actions, advantages).backward()
    return np.zeros(critic.shape) if critic.grad is None else critic.grad.numpy()


def truth(mistake, args) -> np.ndarray:
    if mistake.id == cat.ADVANTAGE_GRADIENT:
        return np.zeros(np.shape(args[3]))
    return _as_array(cat.REFERENCE[mistake.function](*args))


@functools.cache
def given_namespace() -> dict:
    """The notebook's given-helpers cell, run: what a submission's functions may call."""
    namespace: dict = {}
    exec(actor_critic_given.cell_source(), namespace)  # noqa: S102 - our own given cell
    return namespace


def corpus_functions(path) -> dict:
    """The API functions a corpus file defines, in a namespace holding the given helpers."""
    namespace = dict(given_namespace())
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - our corpus
    text = path.read_text()
    return {name: namespace[name] for name in API if f"def {name}(" in text}


# --------------------------------------------------------------------------- imitations


@pytest.mark.parametrize("mistake", CATALOGUE, ids=lambda m: m.id)
def test_every_mistake_differs_from_the_truth(mistake):
    """An imitation that equals the reference on every graded input could never be told apart
    from a correct answer, so it would be a useless (or wrong) catalogue entry."""
    with np.errstate(all="ignore"):
        assert any(
            not agrees(_as_array(mistake.imitate(*args)), truth(mistake, args))
            for args in graded_calls(mistake.function)
        )


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


@pytest.mark.parametrize("path", MUTANTS, ids=lambda p: p.stem)
def test_mutant_computes_its_imitation(path):
    """Each mutant defines exactly the function of its entry and returns (for a torch loss:
    its autodiff gradient is) what the entry's imitation returns on every graded input."""
    mistake = BY_ID[corpus_settings(path.read_text())["MISCONCEPTION"]]
    functions = corpus_functions(path)
    assert set(functions) == {mistake.function}
    student = functions[mistake.function]
    wrt = mistake.id == cat.ADVANTAGE_GRADIENT
    with np.errstate(all="ignore"):
        for args in graded_calls(mistake.function):
            got = run(mistake.function, student, args, wrt_advantages=wrt)
            assert agrees(got, _as_array(mistake.imitate(*args))), args


def test_the_undetached_mutant_sends_the_imitated_gradient_into_the_critic():
    """On the detached cell's calls, the gradient that reaches the critic through TD-error
    advantages is ``critic_gradient`` of the entry's imitation, and the solution sends none."""
    path = CORPUS / "actor_critic" / "mutants" / "surrogate_not_detached.py"
    student = corpus_functions(path)["surrogate_loss"]
    mistake = BY_ID[cat.ADVANTAGE_GRADIENT]
    for logits, states, actions, rewards, values, gamma in detached_calls():
        td = cat.REFERENCE["td_errors"](rewards, states, values, gamma)
        expected = cat.critic_gradient(
            mistake.imitate(logits, states, actions, td), states, gamma, values.shape[1]
        )
        got = critic_reached(student, (logits, states, actions, rewards, values, gamma))
        assert agrees(got, expected)
    right = corpus_functions(CORPUS / "actor_critic" / "correct" / "vectorised.py")
    assert not np.any(critic_reached(right["surrogate_loss"], detached_calls()[0]))


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_computes_the_reference(path):
    """Each correct variant's functions agree with the reference on every graded input, and
    its surrogate loss sends no gradient into a critic."""
    functions = corpus_functions(path)
    assert functions
    with np.errstate(all="ignore"):
        for name, student in functions.items():
            for args in graded_calls(name):
                assert agrees(run(name, student, args), cat.REFERENCE[name](*args)), (name, args)
        if "surrogate_loss" in functions:
            for args in detached_calls():
                assert not np.any(critic_reached(functions["surrogate_loss"], args))


def test_every_api_function_has_a_correct_variant_in_two_styles():
    counts = Counter(name for path in CORRECT for name in corpus_functions(path))
    assert {name: n for name, n in counts.items() if n >= 2}.keys() == set(API)


# --------------------------------------------------------------------------- in-process grading

SOURCE = REPOSITORY / "source" / "actor_critic" / "actor_critic.ipynb"
SOLUTION = '"""The solution."""\n'


@functools.cache
def solution_cells() -> dict[str, str]:
    return solution_code(nbformat.read(SOURCE, as_version=4))


def notebook_namespace(corpus_text: str) -> dict:
    """The namespace of a notebook filled by ``build_submission``: the given helpers, the
    solution's cells, then the corpus file's functions, so a solution function calls the
    mutant's version of its helpers (as in the kernel)."""
    namespace = dict(given_namespace())
    cells = dict(solution_cells())
    cells.update(overrides_from_python(corpus_text, set(API)))
    for name in API:
        exec(compile(cells[name], name, "exec"), namespace)  # noqa: S102 - solution / corpus
    return namespace


def recorded(corpus_text: str) -> dict[str, list]:
    """grade_id -> the outputs each probe shows in a kernel running this submission."""
    namespace = notebook_namespace(corpus_text)
    with np.errstate(all="ignore"):
        return {
            grade_id: record_probe(probe, dict(namespace))
            for grade_id, probe in ASSIGNMENTS["actor_critic"].probes.items()
        }


def failing_cells(corpus_text: str) -> dict[str, str | None]:
    """grade_id -> diagnosis of every autograded cell that fails, judged in this process as
    the grader judges a notebook (``judge_notebook``: excuses settled across cells)."""
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
    verdicts = judge_notebook(ASSIGNMENTS["actor_critic"], cells)
    return {g: v.misconception for g, v in verdicts.items() if not v.passed}


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
    assert failed[settings["FAILS"][0]] == settings["MISCONCEPTION"]


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_fails_no_cell_in_process(path):
    assert failing_cells(path.read_text()) == {}


def test_every_diagnosis_the_checks_name_is_catalogued():
    """Checks may name a mistake themselves (the detached check names the undetached loss);
    each such id must be an entry, so the report and the TA's search find its sentence."""
    from pglab.checks import actor_critic as checks

    source = (REPOSITORY / "autograder" / "pglab" / "checks" / "actor_critic.py").read_text()
    named = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', source)) | {checks.NOT_DETACHED}
    assert named <= {m.id for m in CATALOGUE}
