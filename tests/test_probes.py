"""Probes: in sync with the source notebook, self-contained, and judged end to end."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from probe_kernel import record_outputs

from pglab.assignments import ASSIGNMENTS
from pglab.judge import judge_cell
from pglab.probes import render
from pglab.reference import reinforce as ref

REPOSITORY = Path(__file__).resolve().parent.parent
ASSIGNMENT = ASSIGNMENTS["reinforce"]


def test_source_notebook_probes_are_up_to_date():
    """The hidden regions in source/ are exactly what `pglab probes --write` generates."""
    result = subprocess.run(
        [sys.executable, "-m", "pglab", "probes", "--check"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(ASSIGNMENT.probes))
def test_probe_code_is_self_contained(name):
    """A hidden cell imports nothing but numpy, IPython and the standard library, never pglab."""
    tree = ast.parse(render(ASSIGNMENT.probes[name], "x"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"numpy", "IPython", "base64", "traceback"}


@pytest.mark.parametrize("name", sorted(ASSIGNMENT.probes))
def test_reference_functions_pass_every_check(name):
    """Probe -> record -> verdict with the reference as the student: every check passes."""
    verdict = judge_cell(ASSIGNMENT, name, record_outputs(ASSIGNMENT.probes[name]))
    assert verdict.passed, verdict.text()


def test_leave_one_out_cell_splits_its_false_fail_over_the_three_batch_sizes():
    """The cell passes only if all three batch sizes pass, so each is tested at FALSE_FAIL / 3
    (docs/grading.md): the radius each line of the verdict states is Hoeffding's at that
    delta, not at FALSE_FAIL."""
    from pglab.checks import stats

    verdict = judge_cell(
        ASSIGNMENT, "test_leave_one_out", record_outputs(ASSIGNMENT.probes["test_leave_one_out"])
    )
    proxies = {2: 4.125, 3: 49 / 12, 4: 4.0625}  # stats.leave_one_out_batch_proxy, theta = 0
    for size, proxy in proxies.items():
        line = next(d for d in verdict.details if d.startswith(f"Batch size {size}:"))
        radius = stats.hoeffding_radius(proxy, 20_000, delta=stats.FALSE_FAIL / 3)
        assert f"+-{radius:.3f}" in line, line
        assert f"+-{stats.hoeffding_radius(proxy, 20_000):.3f}" not in line, line


def test_wrong_sign_is_caught_and_named():
    """A sign error in the score is caught by its check, and the catalogue names it."""

    def grad_log_prob(theta, actions):
        return 1 / (1 + np.exp(-theta)) - np.asarray(actions, dtype=float)

    outputs = record_outputs(ASSIGNMENT.probes["test_grad_log_prob"], grad_log_prob=grad_log_prob)
    verdict = judge_cell(ASSIGNMENT, "test_grad_log_prob", outputs)
    assert not verdict.passed
    assert verdict.misconception == "grad_log_prob.sign"
    assert "wrong sign" in verdict.summary


def test_a_raising_function_is_reported_not_fatal():
    """A student function that raises on some inputs fails the check with the error named."""

    def log_prob(theta, actions):
        if theta > 5:
            raise ValueError("theta too large")
        return np.where(np.asarray(actions) == 1, -np.logaddexp(0, -theta), -np.logaddexp(0, theta))

    outputs = record_outputs(ASSIGNMENT.probes["test_log_prob"], log_prob=log_prob)
    verdict = judge_cell(ASSIGNMENT, "test_log_prob", outputs)
    assert not verdict.passed and "ValueError: theta too large" in verdict.text()


def test_probe_leaves_no_names_behind():
    """Running a probe adds nothing to the student's namespace."""
    from unittest import mock

    from probe_kernel import reference_namespace

    namespace = reference_namespace()
    before = set(namespace)
    with mock.patch("IPython.display.display", lambda *a, **k: None):
        exec(render(ASSIGNMENT.probes["test_log_prob"], "x"), namespace)  # noqa: S102
    assert set(namespace) - before == {"__builtins__"}


def _wrong_score(theta, actions):
    return 1 / (1 + np.exp(-theta)) - np.asarray(actions, dtype=float)


@pytest.mark.parametrize("cell", ["test_reinforce_exact", "test_reinforce_unbiased"])
def test_a_wrong_score_function_is_not_charged_twice(cell):
    """reinforce_estimates built correctly on a wrong grad_log_prob keeps its points: the bug
    is charged to grad_log_prob's cell only."""

    def reinforce_estimates(theta, actions, rewards, baseline=0.0):
        return _wrong_score(theta, actions) * (np.asarray(rewards, dtype=float) - baseline)

    outputs = record_outputs(
        ASSIGNMENT.probes[cell],
        grad_log_prob=_wrong_score,
        reinforce_estimates=reinforce_estimates,
    )
    verdict = judge_cell(ASSIGNMENT, cell, outputs)
    assert verdict.passed and "only because grad_log_prob is" in verdict.summary


@pytest.mark.parametrize("cell", ["test_reinforce_exact", "test_reinforce_unbiased"])
def test_a_second_bug_on_top_of_a_wrong_score_still_fails(cell):
    """The exemption covers only estimates consistent with the student's own score function."""

    def reinforce_estimates(theta, actions, rewards, baseline=0.0):
        return _wrong_score(theta, actions) * (2.0 * np.asarray(rewards, dtype=float) - baseline)

    outputs = record_outputs(
        ASSIGNMENT.probes[cell],
        grad_log_prob=_wrong_score,
        reinforce_estimates=reinforce_estimates,
    )
    assert not judge_cell(ASSIGNMENT, cell, outputs).passed


def _dpi_score(theta, actions):
    s = 1 / (1 + np.exp(-theta))
    return np.where(np.asarray(actions) == 1, s * (1 - s), -s * (1 - s))


def _variance_on(score):
    def estimator_variance(theta, means, stds, baseline=0.0):
        total = 0.0
        for a in (0, 1):
            p = np.exp(ref.log_prob(theta, [a]))[0]
            total += p * score(theta, [a])[0] ** 2 * ((means[a] - baseline) ** 2 + stds[a] ** 2)
        return float(total - ref.analytic_gradient(theta, means) ** 2)

    return estimator_variance


def _baseline_on(score):
    def optimal_baseline(theta, means):
        w = [np.exp(ref.log_prob(theta, [a]))[0] * score(theta, [a])[0] ** 2 for a in (0, 1)]
        return float((w[0] * means[0] + w[1] * means[1]) / (w[0] + w[1]))

    return optimal_baseline


@pytest.mark.parametrize(
    "cell, function, build",
    [
        ("test_estimator_variance", "estimator_variance", _variance_on),
        ("test_optimal_baseline", "optimal_baseline", _baseline_on),
    ],
)
def test_helpers_bug_is_charged_to_the_helper(cell, function, build):
    """A variance or baseline built correctly on the student's own wrong score function keeps
    its points; the same code on a correct score agrees exactly; a wrong formula on a wrong
    score still fails."""
    correct = record_outputs(ASSIGNMENT.probes[cell], **{function: build(ref.grad_log_prob)})
    assert judge_cell(ASSIGNMENT, cell, correct).summary.startswith(f"{function} is correct")
    on_wrong = record_outputs(
        ASSIGNMENT.probes[cell], grad_log_prob=_dpi_score, **{function: build(_dpi_score)}
    )
    verdict = judge_cell(ASSIGNMENT, cell, on_wrong)
    assert verdict.passed and "only because grad_log_prob is wrong" in verdict.summary

    def doubly_wrong(*args):
        return 2.0 * build(_dpi_score)(*args)

    outputs = record_outputs(
        ASSIGNMENT.probes[cell], grad_log_prob=_dpi_score, **{function: doubly_wrong}
    )
    assert not judge_cell(ASSIGNMENT, cell, outputs).passed


def test_variance_reduction_dual_path():
    """The optimal-baseline cell's dual path holds for b* and fails for a baseline that raises
    the variance."""
    from pglab.checks.reinforce import _variance_reduction
    from pglab.records import PartRecord

    calls = ASSIGNMENT.probes["test_optimal_baseline"].rebuild_inputs()[0]

    def record(value):
        outputs = [np.asarray(ref.optimal_baseline(*args)) for args in calls]
        index = next(i for i, args in enumerate(calls) if args[0] == 3.0)
        outputs[index] = np.asarray(value if value is not None else outputs[index])
        return PartRecord("optimal_baseline", outputs, [0] * len(outputs), [])

    lines, confirmed = _variance_reduction(record(None), calls)
    assert confirmed and "smallest possible" in lines[0]
    assert not _variance_reduction(record(20.0), calls)[1]


def _arrays_and_scalars(value) -> list:
    """The leaves of a probe's inputs (arrays, numbers, functions), depth first; a namespace
    (an MDP) by its attributes, in name order."""
    if isinstance(value, SimpleNamespace):
        value = [value for _, value in sorted(vars(value).items())]
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in _arrays_and_scalars(item)]
    return [value]


@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_the_judge_builds_each_probes_inputs_once_and_read_only(name):
    """The judge shares a probe's inputs between the notebooks one process judges
    (``pglab.judge._inputs``): they equal a fresh rebuild, leaf for leaf, and no array in
    them can be written, so one notebook's checks cannot change the next one's inputs."""
    from pglab.judge import _inputs

    for probe in ASSIGNMENTS[name].probes.values():
        shared = _inputs(probe)
        assert _inputs(probe) is shared
        leaves = _arrays_and_scalars(shared)
        fresh = _arrays_and_scalars(probe.rebuild_inputs())
        assert len(leaves) == len(fresh)
        for mine, theirs in zip(leaves, fresh, strict=True):
            assert type(mine) is type(theirs)
            if callable(mine):
                assert mine.__qualname__ == theirs.__qualname__
                continue
            assert np.array_equal(mine, theirs), probe.name
            if isinstance(mine, np.ndarray):
                assert not mine.flags.writeable, probe.name
                with pytest.raises(ValueError):
                    mine[...] = 0
