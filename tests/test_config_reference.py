"""docs/config.md is generated from the code's traitlets declarations and kept in sync."""

from __future__ import annotations

from support import REPOSITORY

from pglab.cli.config_reference import configurables, render
from pglab.grading.grade import Grading
from pglab.pipeline.cluster import Cluster
from pglab.sandbox import Sandbox


def test_config_reference_matches_the_code():
    written = (REPOSITORY / "docs" / "config.md").read_text(encoding="utf-8")
    assert written == render(), "docs/config.md is stale: run `pglab config-reference --write`"


def test_every_option_of_the_course_config_is_listed_with_its_default():
    classes = configurables()
    assert {Sandbox, Grading, Cluster} <= set(classes)
    text = render()
    for cls in classes:
        for name, trait in cls.class_own_traits(config=True).items():
            entry = f"### `c.{cls.__name__}.{name}`\n\n{type(trait).__name__}, default "
            assert entry + f"`{trait.default_value_repr()}`" in text
    # what the course's nbgrader_config.py sets must be a documented option
    for line in (REPOSITORY / "nbgrader_config.py").read_text().splitlines():
        for cls in ("Sandbox", "Grading", "Cluster", "SandboxedExecute"):
            if line.startswith(f"c.{cls}."):
                option = line.split("=")[0].strip()
                assert f"### `{option}`" in text, option
