"""The grading bundle's digest: what makes `pglab grade` grade an unchanged file again."""

from __future__ import annotations

import pytest
from nbgrader.plugins import LateSubmissionPlugin
from traitlets.config import Config

from pglab.grading.bundle import Bundle, NotebookSpec, SourceCell


class TenPercentPerDay(LateSubmissionPlugin):
    pass


def bundle(**sections) -> Bundle:
    spec = NotebookSpec(
        "reinforce", "python3", (SourceCell("a", "code", False, None, "x = 1"),), {}, (), {}
    )
    return Bundle("reinforce", {"reinforce": spec}, Config(sections))


BASE = {"Execute": {"timeout": 60}}


@pytest.mark.parametrize(
    "late",
    [
        {"LateSubmissionPlugin": {"penalty_method": "zero"}},
        {"AssignLatePenalties": {"plugin_class": "late_policy.TenPercentPerDay"}},
        {
            "AssignLatePenalties": {"plugin_class": "late_policy.TenPercentPerDay"},
            "TenPercentPerDay": {"per_day": 0.2},
        },
        {"AssignLatePenalties": {"plugin_class": TenPercentPerDay}, "TenPercentPerDay": {"x": 1}},
    ],
)
def test_the_late_policy_is_not_part_of_the_digest(late):
    assert bundle(**BASE, **late).digest == bundle(**BASE).digest


@pytest.mark.parametrize(
    "changed",
    [
        {"Execute": {"timeout": 61}},
        {**BASE, "Sandbox": {"memory_mb": 512}},
        {**BASE, "SomeCourseSetting": {"x": 1}},  # unknown to pglab: graded again, to be safe
        {**BASE, "TenPercentPerDay": {"per_day": 0.2}},  # not the configured plugin
    ],
)
def test_any_other_setting_is(changed):
    assert bundle(**changed).digest != bundle(**BASE).digest


def test_the_digest_does_not_change_the_config():
    made = bundle(**BASE)
    assert made.digest
    assert dict(made.config) == BASE
