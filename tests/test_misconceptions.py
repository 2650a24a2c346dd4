"""The misconception catalogue: complete, backed by the mutant corpus, and recognisable."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from collections import Counter

import numpy as np
import pytest
from probe_kernel import API, record_outputs, reference_namespace
from support import corpus_files

from pglab import judge
from pglab.assignments import ASSIGNMENTS
from pglab.checks import attribution, verdict
from pglab.checks.verdict import agrees
from pglab.judge import judge_cell
from pglab.leaks import formula_leaks
from pglab.misconceptions.reinforce import CATALOGUE
from pglab.submissions import corpus_settings

# Which cells each mutant fails is the subject here; the verdicts' figures are drawn by the
# graded corpus classes (tests/conftest.py: without_verdict_figures).
pytestmark = pytest.mark.usefixtures("without_verdict_figures")

ASSIGNMENT = ASSIGNMENTS["reinforce"]
MUTANTS = corpus_files("mutants")


def test_catalogue_covers_every_function_with_thirty_entries():
    """At least 30 distinct mistakes, at least two for each of the eight API functions."""
    ids = [m.id for m in CATALOGUE]
    assert len(ids) == len(set(ids)) and len(ids) >= 30
    per_function = Counter(m.function for m in CATALOGUE)
    assert set(per_function) == set(API) and min(per_function.values()) >= 2


def test_every_catalogue_entry_has_a_mutant_and_every_mutant_an_entry():
    """The corpus exercises each catalogued mistake; no mutant names a mistake we lack."""
    named = {corpus_settings(p.read_text()).get("MISCONCEPTION") for p in MUTANTS} - {None}
    assert named == {m.id for m in CATALOGUE}


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_no_feedback_sentence_states_a_graded_result(name):
    """docs/authoring.md: a feedback sentence names the mistake and does not state the result
    the student derives. No sentence of any assignment's catalogue contains a fragment of a
    graded result (``pglab.leaks.LEAK_FRAGMENTS``, the release's formula-leak check)."""
    catalogue = ASSIGNMENTS[name].catalogue
    assert catalogue
    leaks = {m.id: found for m in catalogue if (found := formula_leaks(name, m.feedback))}
    assert not leaks


def _message_strings(module) -> list[tuple[int, str]]:
    """Every string literal of ``module`` but its docstrings (the parts of f-strings too):
    the verdicts, details and messages a student can read."""
    tree = ast.parse(inspect.getsource(module))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_no_verdict_text_states_a_graded_result(name):
    """The same rule for the verdicts the checks write (their messages and details): no
    string in the assignment's checks, or in the shared verdict, attribution and judge code,
    contains a fragment of a graded result."""
    modules = [importlib.import_module(f"pglab.checks.{name}"), verdict, attribution, judge]
    leaks = {
        f"{module.__name__}:{line}": found
        for module in modules
        for line, text in _message_strings(module)
        if (found := formula_leaks(name, text))
    }
    assert not leaks


@functools.cache
def graded_calls(function: str) -> list[tuple]:
    """Every argument tuple any probe passes to ``function``."""
    return [
        args
        for probe in ASSIGNMENT.probes.values()
        for part, calls in zip(probe.parts, probe.rebuild_inputs(), strict=True)
        if part.function == function
        for args in calls[:100]
    ]


@pytest.mark.parametrize("mistake", CATALOGUE, ids=lambda m: m.id)
def test_every_mistake_differs_from_the_truth(mistake):
    """An imitation that equals the reference on every graded input could never be told apart
    from a correct answer, so it would be a useless (or wrong) catalogue entry."""
    truth = reference_namespace()[mistake.function]
    with np.errstate(all="ignore"):
        assert any(
            not agrees(np.asarray(mistake.imitate(*args), dtype=float), np.asarray(truth(*args)))
            for args in graded_calls(mistake.function)
        )


@pytest.mark.parametrize("path", MUTANTS, ids=lambda p: p.stem)
def test_mutant_is_caught_in_process(path):
    """Quick check of each mutant against the probes without nbgrader (the pipeline test is
    the authority): its first failing cell fails here too, with the catalogued diagnosis."""
    settings = corpus_settings(path.read_text())
    verdict = _judged(path, settings["FAILS"][0])
    assert not verdict.passed
    assert verdict.misconception == settings.get("MISCONCEPTION", verdict.misconception)


STABILITY_MUTANTS = [
    p for p in MUTANTS if "test_numerical_stability" in corpus_settings(p.read_text())["FAILS"]
]


@pytest.mark.parametrize("path", STABILITY_MUTANTS, ids=lambda p: p.stem)
def test_the_stability_cell_names_a_mistake_once(path):
    """A mistake wrong at every theta also fails the stability cell, which names it as that
    mistake, not as instability (a function not written yet as not written), and says each
    sentence once."""
    settings = corpus_settings(path.read_text())
    verdict = _judged(path, "test_numerical_stability")
    assert not verdict.passed
    sentences = [
        s.strip() for line in (verdict.summary, *verdict.details) for s in line.split(": ")
    ]
    repeated = {s for s in sentences if s and sentences.count(s) > 1}
    assert not repeated, verdict.summary + "\n" + "\n".join(verdict.details)
    if settings.get("KEEP_STUBS"):  # not written yet: said so, not called unstable
        assert "not implemented yet" in verdict.summary, verdict.summary
    else:
        unstable = settings.get("MISCONCEPTION", "").endswith(".unstable")
        assert ("stability problem" in verdict.summary) is not unstable, verdict.summary


def _stub(*args):
    raise NotImplementedError()


def _judged(path, cell: str):
    """The verdict of ``cell`` for the mutant at ``path`` (its KEEP_STUBS left as released)."""
    text = path.read_text()
    namespace = reference_namespace()
    exec(compile(text, str(path), "exec"), namespace)  # noqa: S102 - our own corpus file
    for name in corpus_settings(text).get("KEEP_STUBS", []):
        namespace[name] = _stub
    overrides = {name: namespace[name] for name in API}
    return judge_cell(ASSIGNMENT, cell, record_outputs(ASSIGNMENT.probes[cell], **overrides))
