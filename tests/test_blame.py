"""One mistake, one charge, and no points for nothing (issue 13).

The blame corpora (tests/corpus/blame/, tests/corpus/rewards_to_go/blame/) are graded through
the real `nbgrader autograde` with every other corpus (tests/conftest.py): gaming submissions
(zero or constant helpers, a helper that answers differently for another cell's probe) and
honest helpers that raise or return nan. Each file states the cells it loses (FAILS), the
flags the TA must get (FLAGS) and the helper each caller's feedback must name (NAMES).
The unit tests below pin the rules the checks follow (checks/callees.py, attribution.py,
verdict.py) without a kernel.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from support import ASSIGNMENTS, corpus_files, student_id

from pglab.assignments import ASSIGNMENTS as REGISTRY
from pglab.checks import reinforce as reinforce_checks
from pglab.checks.attribution import CellRecords, settle
from pglab.checks.callees import Callee, blame_callees, own_cell
from pglab.checks.verdict import (
    NOTEBOOK,
    NotebookContext,
    Verdict,
    cut,
    disagreements,
    explain_disagreement,
    failed_everywhere,
    fmt,
)
from pglab.records import CallError, PartRecord
from pglab.reference import reinforce as ref
from pglab.submissions import corpus_settings

FIXTURES = {"reinforce": "graded_class", "rewards_to_go": "graded_rewards_to_go"}
ATTRIBUTION_RULES = {
    "answers-differently",
    "helper-right-only-in-its-own-cell",
    "unverified-excuse",
}
GAMING = ("zero_helpers", "constant_score", "constant_softmax", "score_differs_elsewhere")
#: the helpers each gaming file makes zero, constant or two-faced: they excuse nothing
GAMED = {
    "zero_helpers": ("grad_log_prob", "analytic_gradient", "grad_log_softmax", "step_scores"),
    "constant_score": ("grad_log_prob",),
    "constant_softmax": ("softmax", "grad_log_softmax"),
    "score_differs_elsewhere": ("grad_log_prob",),
}


def _blame_corpus():
    return [
        pytest.param(assignment, path, id=f"{assignment}-{path.stem}")
        for assignment in ASSIGNMENTS
        for path in corpus_files("blame", assignment)
    ]


def test_every_callee_relation_has_a_gaming_case():
    """Each relation a check excuses through (caller <- helper) appears in a zero or constant
    helper's corpus file."""
    relations = {
        ("reinforce", "reinforce_estimates", "grad_log_prob"),
        ("reinforce", "estimator_variance", "grad_log_prob"),
        ("reinforce", "estimator_variance", "analytic_gradient"),
        ("reinforce", "optimal_baseline", "grad_log_prob"),
        ("rewards_to_go", "reinforce_estimates", "grad_log_softmax"),
        ("rewards_to_go", "grad_log_softmax", "softmax"),
        ("rewards_to_go", "expected_reward", "softmax"),
        ("rewards_to_go", "exact_gradient", "softmax"),
        ("rewards_to_go", "step_scores", "softmax"),
        ("rewards_to_go", "state_values", "softmax"),
        ("rewards_to_go", "reinforce_total_return", "step_scores"),
        ("rewards_to_go", "reinforce_rewards_to_go", "step_scores"),
        ("rewards_to_go", "reinforce_value_baseline", "reinforce_rewards_to_go"),
    }
    covered = set()
    for assignment in ASSIGNMENTS:
        for path in corpus_files("blame", assignment):
            if path.stem not in GAMING[:3] and path.stem != "constant_softmax":
                continue
            text = " ".join(path.read_text().split('"""')[1].split())
            stated = text.split("Callee relations:")[1].split(".")[0]
            for relation in stated.split(";"):
                callers, helpers = relation.split("<-")
                for caller in re.findall(r"[a-z_]+", callers.replace(" and ", " ")):
                    for helper in re.findall(r"[a-z_]+", helpers.split("(")[0]):
                        covered.add((assignment, caller, helper))
    assert relations - covered == set()


def test_every_helper_a_check_may_blame_has_its_own_cell():
    """The feedback of an excused caller names the helper's cell: it must exist and test it."""
    helpers = {
        "reinforce": {"grad_log_prob", "log_prob", "analytic_gradient"},
        "rewards_to_go": {
            "softmax",
            "grad_log_softmax",
            "step_scores",
            "discounted_returns",
            "rewards_to_go",
            "reinforce_rewards_to_go",
        },
    }
    for assignment, names in helpers.items():
        probes = REGISTRY[assignment].probes
        for name in names:
            assert probes[own_cell(name)].parts[0].function == name


# --------------------------------------------------------------------------- the pipeline


@pytest.mark.pipeline
@pytest.mark.parametrize(("assignment", "path"), _blame_corpus())
def test_blame_case_through_nbgrader(request, assignment, path):
    """Exactly the FAILS cells lose points and the FOR_A_TA cells (callers that could not be
    checked on any value) have no automatic score and wait for a TA, their output saying
    why; gaming earns no excused cell; the TA gets the FLAGS; an excused caller's feedback
    names the helper and the helper's cell."""
    from nbgrader.api import Gradebook

    graded = request.getfixturevalue(FIXTURES[assignment])
    settings = corpus_settings(path.read_text())
    student = student_id(path)
    probes = REGISTRY[assignment].probes
    cells = {k: c for k, c in graded.scores[student].items() if k in probes}
    for_a_ta = sorted(name for name, c in cells.items() if c.needs_manual_grade)
    failed = sorted(name for name, c in cells.items() if c.score < c.max_score)
    assert failed == sorted(settings["FAILS"] + settings.get("FOR_A_TA", []))
    assert for_a_ta == sorted(settings.get("FOR_A_TA", []))
    course = graded.course_of(student)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for name in for_a_ta:  # (nbgrader keeps comments for answer cells only)
            grade = gradebook.find_grade(name, assignment, assignment, student)
            assert grade.auto_score is None and grade.manual_score is None
    texts = {name: graded.cell_text(student, name) for name in probes}
    gamed = GAMED.get(path.stem, ())
    excused = {
        name
        for name, text in texts.items()
        if any(f"is right for the {helper}" in text for helper in gamed)
    }
    assert {n for n in excused if cells[n].score > 0} == set()
    for cell, helper in settings.get("NAMES", {}).items():
        text = texts[cell]
        if cell in for_a_ta:
            assert text.startswith("FOR A TA: ") and f"{helper} you wrote" in text, text
        else:
            assert f"right for the {helper}" in text, text
        assert own_cell(helper) in text, text
    flags = graded.notebook(student).metadata["pglab"]["tamper_flags"]
    rules = {f["rule"] for f in flags if f["rule"] in ATTRIBUTION_RULES}
    assert rules == set(settings["FLAGS"]), flags


@pytest.mark.pipeline
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_attribution_flag_for_honest_submissions(request, assignment):
    """Mutants and correct variants answer the same inputs the same way in every cell."""
    graded = request.getfixturevalue(FIXTURES[assignment])
    flagged = {}
    for kind in ("mutants", "correct"):
        for path in corpus_files(kind, assignment):
            flags = graded.notebook(student_id(path)).metadata["pglab"]["tamper_flags"]
            bad = [f for f in flags if f["rule"] in ATTRIBUTION_RULES - {"unverified-excuse"}]
            if bad:
                flagged[path.stem] = bad
    assert flagged == {}


# --------------------------------------------------------------------------- the rules


def _record(function, outputs, errors=()):
    outputs = [None if o is None else np.asarray(o, dtype=float) for o in outputs]
    ndims = [-1 if o is None else o.ndim for o in outputs]
    return PartRecord(function, outputs, ndims, list(errors))


THETAS = [-2.0, -0.5, 0.3, 1.7]
TABLE_CALLS = [(t, np.array([0, 1])) for t in THETAS]
ESTIMATE_CALLS = [(t, np.array([0, 1, 1]), np.array([1.0, -2.0, 0.5])) for t in THETAS]


def _estimates(table_of):
    return [table_of(t)[a] * r for t, a, r in ESTIMATE_CALLS]


def _blame(tables, estimates, errors=(), helper_errors=()):
    helper = Callee(
        "grad_log_prob", _record("grad_log_prob", tables, helper_errors), TABLE_CALLS,
        ref.grad_log_prob,
    )  # fmt: skip
    record = _record("reinforce_estimates", estimates, errors)

    def formula(args, values):
        return np.reshape(values["grad_log_prob"], (2,))[args[1]] * args[2]

    return blame_callees(record, ESTIMATE_CALLS, [helper], formula, "reinforce_estimates")


def test_a_wrong_but_informative_helper_excuses_its_caller():
    def doubled(t):
        return 2 * ref.grad_log_prob(t, [0, 1])

    blame = _blame([doubled(t) for t in THETAS], _estimates(doubled))
    assert blame and blame.names == ("grad_log_prob",) and not blame.unverified


def test_zero_and_constant_helpers_excuse_nothing():
    zero = [np.zeros(2) for _ in THETAS]
    assert _blame(zero, [np.zeros(3) for _ in THETAS]) is None
    constant = [np.array([-0.5, 0.5]) for _ in THETAS]
    assert _blame(constant, _estimates(lambda t: np.array([-0.5, 0.5]))) is None


def test_a_helper_zero_on_some_calls_still_excuses_on_the_evidence_of_the_others():
    def partly_zero(t):
        return np.zeros(2) if t < 0 else 2 * ref.grad_log_prob(t, [0, 1])

    blame = _blame([partly_zero(t) for t in THETAS], _estimates(partly_zero))
    assert blame and blame.informative == 2


def test_a_caller_that_is_wrong_where_the_helper_is_wrong_is_not_excused():
    def doubled(t):
        return 2 * ref.grad_log_prob(t, [0, 1])

    estimates = _estimates(doubled)
    estimates[1] = estimates[1] + 1.0
    assert _blame([doubled(t) for t in THETAS], estimates) is None


def test_errors_are_explained_by_the_same_error_of_the_helper():
    error = CallError(0, "ValueError", "theta out of range")

    def right(t):
        return ref.grad_log_prob(t, [0, 1])

    tables = [None] + [right(t) for t in THETAS[1:]]
    estimates = [None] + _estimates(right)[1:]
    blame = _blame(tables, estimates, [error], [error])
    assert blame and blame.through_errors == 1 and blame.informative == 3
    doubled_tables = [None] + [2 * right(t) for t in THETAS[1:]]
    doubled = [None] + [2 * e for e in _estimates(right)[1:]]
    blame = _blame(doubled_tables, doubled, [error], [error])
    assert blame and blame.through_errors == 1 and blame.informative == 3
    other = CallError(0, "TypeError", "something else")
    assert _blame(doubled_tables, doubled, [other], [error]) is None


def test_a_stub_explains_nothing():
    stub = CallError(0, "NotImplementedError", "")
    tables = [None] * len(THETAS)
    estimates = [None] * len(THETAS)
    errors = [CallError(i, "NotImplementedError", "") for i in range(len(THETAS))]
    assert _blame(tables, estimates, errors, [stub, *errors[1:]]) is None


def test_nan_is_explained_only_where_the_helper_makes_it():
    def right(t):
        return ref.grad_log_prob(t, [0, 1])

    tables = [np.full(2, np.nan)] + [2 * right(t) for t in THETAS[1:]]
    estimates = [np.full(3, np.nan)] + [2 * e for e in _estimates(right)[1:]]
    blame = _blame(tables, estimates)
    assert blame and blame.through_errors == 1
    estimates[0] = np.array([np.nan, 1.0, np.nan])  # finite where the helper makes nan
    assert _blame(tables, estimates) is None


def test_the_baseline_excuse_has_no_nan_equals_nan():
    """A zero score makes optimal_baseline's formula 0/0: a nan answer is not 'right'."""
    probe = REGISTRY["reinforce"].probes["test_optimal_baseline"]
    inputs = probe.rebuild_inputs()
    parts = [
        _record("optimal_baseline", [np.nan] * len(inputs[0])),
        _record("log_prob", [ref.log_prob(*a) for a in inputs[1]]),
        _record("grad_log_prob", [np.zeros(2) for _ in inputs[2]]),
    ]
    verdict = reinforce_checks.check_optimal_baseline(probe, inputs, parts)
    assert not verdict.passed


def _cells(probe_name, parts):
    probe = REGISTRY["reinforce"].probes[probe_name]
    return CellRecords(probe, probe.rebuild_inputs(), parts)


def test_an_excuse_holds_only_while_the_helper_pays():
    """The caller's excuse is void when the helper's own cell passes, and the TA is told."""
    unexcused = Verdict(False, "reinforce_estimates does not return the correct values.")
    excused = Verdict(True, "right for it", excused_by=("grad_log_prob",), unexcused=unexcused)
    own = Verdict(True, "grad_log_prob is correct")
    verdicts, notes = settle(
        {"test_grad_log_prob": own, "test_reinforce_exact": excused},
        {},
        reinforce_checks.PARAMETERS,
    )
    assert verdicts["test_grad_log_prob"].passed
    assert not verdicts["test_reinforce_exact"].passed
    assert "passes its own check" in verdicts["test_reinforce_exact"].text()
    assert [n.rule for n in notes] == ["helper-right-only-in-its-own-cell"]
    charged = Verdict(False, "grad_log_prob has the wrong sign")
    verdicts, notes = settle(
        {"test_grad_log_prob": charged, "test_reinforce_exact": excused},
        {},
        reinforce_checks.PARAMETERS,
    )
    assert verdicts["test_reinforce_exact"].passed and notes == []


def test_the_same_inputs_must_get_the_same_answer_in_every_cell():
    """grad_log_prob at theta = 0 is recorded by its own cell and by the baseline cell."""
    probe = REGISTRY["reinforce"].probes["test_grad_log_prob"]
    own_inputs = probe.rebuild_inputs()
    base = REGISTRY["reinforce"].probes["test_optimal_baseline"]
    base_inputs = base.rebuild_inputs()

    def cells(factor):
        return {
            "test_grad_log_prob": CellRecords(
                probe,
                own_inputs,
                [_record("grad_log_prob", [ref.grad_log_prob(*a) for a in own_inputs[0]])],
            ),
            "test_optimal_baseline": CellRecords(
                base,
                base_inputs,
                [
                    _record("optimal_baseline", [ref.optimal_baseline(*a) for a in base_inputs[0]]),
                    _record("log_prob", [ref.log_prob(*a) for a in base_inputs[1]]),
                    _record(
                        "grad_log_prob", [factor * ref.grad_log_prob(*a) for a in base_inputs[2]]
                    ),
                ],
            ),
        }

    verdicts = {
        "test_grad_log_prob": Verdict(True, "ok"),
        "test_optimal_baseline": Verdict(True, "ok"),
    }
    _, notes = settle(verdicts, cells(1.0), reinforce_checks.PARAMETERS)
    assert notes == []
    _, notes = settle(verdicts, cells(3.0), reinforce_checks.PARAMETERS)
    assert [n.rule for n in notes] == ["answers-differently"]
    assert "theta=0" in notes[0].message and "test_grad_log_prob" in notes[0].message


def test_repeated_actions_are_compared_once_unless_their_answers_differ():
    """A probe that draws many actions from two is fingerprinted per distinct (action,
    answer), not per draw; a repeat that answers differently is still kept."""
    from pglab.checks.attribution import _distinct, _per_action

    actions = np.array([0, 1, 0, 0, 1, 1, 0])
    answers = np.where(actions == 0, 0.5, -0.5)
    kept = _distinct(_per_action((0.0, actions), answers))
    assert [(int(a[1][0]), float(v[0])) for a, v in kept] == [(0, 0.5), (1, -0.5)]
    answers[3] = 0.25  # the fourth draw (action 0) answers otherwise
    kept = _distinct(_per_action((0.0, actions), answers))
    assert [(int(a[1][0]), float(v[0])) for a, v in kept] == [(0, 0.5), (1, -0.5), (0, 0.25)]


# --------------------------------------------------------------------------- the verdict tail


def _name_error(name):
    return _record("f", [None, None], [CallError(0, "NameError", f"name '{name}' is not defined")])


def test_defined_below_only_when_it_is():
    cells = (
        (None, "def helper_user(x):\n    y = 2 * x\n    return later(y)\n"),
        ("test_helper_user", "helper_user(1)"),
        (None, "def later(y):\n    return y\n"),
    )
    token = NOTEBOOK.set(NotebookContext(cells, "test_helper_user"))
    try:
        below = failed_everywhere("helper_user", _name_error("later"), 2)
        inside = failed_everywhere("helper_user", _name_error("y2"), 2)
    finally:
        NOTEBOOK.reset(token)
    assert "defined below its test cell" in below.summary
    assert "defined below" not in inside.summary
    assert inside.summary == "name y2 is not defined inside your function helper_user."
    assert "(on all 2 calls)" in inside.details


def test_the_line_that_uses_an_undefined_name_is_quoted():
    cells = (
        (None, "def rewards_to_go(r, g):\n    running = 0\n    return r + g * runing\n"),
        ("test_rewards_to_go", ""),
    )
    token = NOTEBOOK.set(NotebookContext(cells, "test_rewards_to_go"))
    try:
        verdict = failed_everywhere("rewards_to_go", _name_error("runing"), 5)
    finally:
        NOTEBOOK.reset(token)
    assert "The line that uses it: return r + g * runing" in verdict.details


def test_exception_messages_are_cut_at_a_word_boundary():
    message = "word " * 100
    shown = cut(message)
    assert len(shown) <= 170 and shown.endswith(" ...") and "wor ..." not in shown
    record = _record("f", [None], [CallError(0, "ValueError", message)])
    verdict = failed_everywhere("f", record, 7)
    assert verdict.details == ("(on all 7 calls)",) and "calls" not in verdict.summary


def test_examples_show_shapes_and_the_first_entry_that_differs():
    assert fmt(np.array([1.0, 2.0])) == "[1, 2] (shape (2,))"
    calls = [(0.5, np.array([0, 1, 1]))]
    truth = ref.grad_log_prob(*calls[0])
    off = truth.copy()
    off[2] += 1e-7
    record = _record("grad_log_prob", [off])
    bad = disagreements(record, calls, ref.grad_log_prob)
    lines = explain_disagreement("grad_log_prob", ("theta", "actions"), record, bad, 1)
    text = "\n".join(lines)
    assert "(shape (3,))" in text
    assert "The first entry that differs is [2]" in text
    first = next(line for line in lines if line.startswith("The first entry"))
    mine, correct = first.split(": ", 1)[1].rstrip(".").split("; correct: ")
    assert mine != correct


def test_a_sign_error_is_not_called_a_stability_problem():
    probe = REGISTRY["reinforce"].probes["test_numerical_stability"]
    inputs = probe.rebuild_inputs()
    parts = [
        _record("log_prob", [ref.log_prob(*a) for a in inputs[0]]),
        _record("grad_log_prob", [-ref.grad_log_prob(*a) for a in inputs[1]]),
    ]
    verdict = reinforce_checks.check_numerical_stability(probe, inputs, parts)
    assert not verdict.passed
    assert "Not numerically stable" not in verdict.summary
    assert "sign" in verdict.summary
