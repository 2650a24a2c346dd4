"""Probes: in sync with the source notebook, self-contained, and judged end to end."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from probe_kernel import record_outputs

from pglab.assignments import ASSIGNMENTS
from pglab.judge import judge_cell
from pglab.probes import render

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
