"""The grading bundle's digest: what makes `pglab grade` grade an unchanged file again."""

from __future__ import annotations

import importlib

import pytest
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import AssignLatePenalties
from traitlets.config import Config

from pglab.grading.bundle import (
    UNGRADED_SECTIONS,
    Bundle,
    NotebookSpec,
    SourceCell,
    ungraded_sections,
)


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


@pytest.mark.parametrize(
    "ungraded",
    [
        {"Exchange": {"root": "/srv/exchange"}},
        {"ExchangeFactory": {"exchange": "ngshare_exchange.Exchange"}},
        {"CourseDirectory": {"db_url": "sqlite:///elsewhere.db", "course_id": "rl-2025"}},
        {"NbGraderAPI": {"timezone": "UTC"}},
        {"FormgradeExtension": {"debug": True}},
        {"Authenticator": {"plugin_class": "nbgrader.auth.JupyterHubAuthPlugin"}},
        {"JupyterHubAuthPlugin": {"graders": ["ta1"]}},
        {"ExportApp": {"plugin_class": "nbgrader.plugins.CsvExportPlugin"}},
        {"CsvExportPlugin": {"to": "grades.csv"}},
        {"ZipCollectApp": {"archive_directory": "downloaded"}},
        {"FileNameCollectorPlugin": {"named_regexp": ".*"}},
        {"NbGrader": {"logfile": "nbgrader.log"}},
        {"Application": {"log_level": "DEBUG"}},
        {"Cluster": {"scheduler": "tcp://10.0.0.5:8786"}},
    ],
)
def test_a_setting_grading_never_reads_is_not_part_of_the_digest(ungraded):
    assert bundle(**BASE, **ungraded).digest == bundle(**BASE).digest
    assert bundle(**BASE, **ungraded).parts == bundle(**BASE).parts


@pytest.mark.parametrize(
    "read",
    [
        {"Execute": {"timeout": 61}},
        {"Grading": {"notebook_timeout": 300}},
        {"LimitOutput": {"max_lines": 100}},
        {"ClearMetadataPreprocessor": {"enabled": True}},
        {"Sandbox": {"memory_limit": 2**30}},
        {"SandboxedExecute": {"cell_output_limit": 2**20}},
        {"Autograde": {"autograde_preprocessors": ["x.SaveAutoGrades"]}},
        {"SomethingNew": {"x": 1}},  # unknown: graded again, to be safe
    ],
)
def test_a_setting_grading_reads_changes_the_config_part(read):
    assert bundle(**BASE | read).digest != bundle(**BASE).digest
    assert bundle(**BASE | read).parts["config"] != bundle(**BASE).parts["config"]


def test_a_config_without_ungraded_sections_keeps_the_digest_it_had():
    config = {
        "Execute": {"timeout": 60},
        "Sandbox": {"memory_limit": 1},
        "Grading": {"notebook_timeout": 5},
        "LateSubmissionPlugin": {"penalty_method": "zero"},
    }
    made = bundle(**config)
    made = Bundle(made.assignment, made.notebooks, made.config, pglab_version="0")
    # computed before the ungraded sections were left out of the digest
    assert made.digest == "c1beb03f8ec24fa5da6159c684b3859c56312853919a6da41d78264b1ff2229a"
    assert made.parts == {"source": "5418612ae6a6a525", "config": "12c93f559279d961", "pglab": "0"}


def grading_classes() -> set[type]:
    """Every Configurable class that grading one submission instantiates with the config (or
    with a parent that has it): grade()'s steps, found as the grade module's classes, the
    kernel manager and what it makes, the sandbox's settings, and the saving step."""
    from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner
    from traitlets.config import Configurable

    from pglab.pipeline.run import DEFAULT_SAVING_STEPS
    from pglab.sandbox.messages import BoundedKernelManager
    from pglab.sandbox.settings import Sandbox

    module = importlib.import_module("pglab.grading.grade")
    classes = {
        v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Configurable)
    }
    kernel_manager = module._ExecuteWithDeadline(config=Config()).kernel_manager_class
    made = kernel_manager(config=Config())
    classes |= {kernel_manager, BoundedKernelManager, made.client_factory}
    classes |= {type(made.session), type(made.kernel_spec_manager)}
    classes |= {KernelProvisionerFactory, LocalProvisioner, Sandbox}
    classes |= {s for s in DEFAULT_SAVING_STEPS if not issubclass(s, AssignLatePenalties)}
    return classes


def test_no_class_grading_uses_is_left_out_of_the_digest():
    names = {c.__name__ for cls in grading_classes() for c in cls.__mro__}
    assert {"Execute", "SandboxedExecute", "NotebookClient", "LimitOutput", "Grading"} <= names
    assert {
        "Sandbox",
        "KernelManager",
        "BoundedKernelClient",
        "Session",
        "LocalProvisioner",
    } <= names
    assert {"SaveAutoGradesOnce", "SaveAutoGrades"} <= names
    assert ungraded_sections(Config({name: {"x": 1} for name in names})) & names == set()


def test_each_section_left_out_by_name_is_a_class_of_that_name():
    """A misspelt name would leave its setting in the digest."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.apps.baseapp import NbGrader
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.plugins import BasePlugin, CsvExportPlugin, ExportPlugin
    from nbgrader.plugins.zipcollect import ExtractorPlugin, FileNameCollectorPlugin
    from nbgrader.server_extensions.assignment_list.handlers import AssignmentList
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension
    from traitlets.config import Application

    from pglab.pipeline.cluster import Cluster

    classes = (
        NbGraderAPI, NbGrader, Authenticator, CourseDirectory, BasePlugin, CsvExportPlugin,
        ExportPlugin, ExtractorPlugin, FileNameCollectorPlugin, AssignmentList,
        FormgradeExtension, Application, Cluster,
    )  # fmt: skip
    assert {c.__name__ for c in classes} == UNGRADED_SECTIONS
