"""``pglab config-reference``: docs/config.md, written from the traitlets declarations.

Every option pglab declares (``c.Class.option = value`` in ``nbgrader_config.py``) is found
by importing pglab's modules and asking traitlets for each configurable class's own config
traits, so an option added to the code appears here without anyone remembering to.
``--check`` (what the tests run) exits 1 when docs/config.md differs from what the code says.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import textwrap
from pathlib import Path

from traitlets.config import Configurable

import pglab

HELP = "Write (--write) or check (--check) docs/config.md, the reference of every c.* option."

HEADER = """\
# Configuration reference

Every option pglab adds to nbgrader's configuration, with its default and its help, as
declared in the code. Set them in the course's `nbgrader_config.py`
(`c.Sandbox.memory_limit = 4 * 1024**3`); `nbgrader autograde` and `pglab grade` read the same
file. nbgrader's own options (for example `c.LateSubmissionPlugin.penalty_method`, see
[instructor.md](instructor.md#late-work)) are in
[nbgrader's configuration reference](https://nbgrader.readthedocs.io/en/stable/configuration/config_options.html).

This file is generated: `pglab config-reference --write` rewrites it, and a test fails when
it no longer matches the code.
"""


def configurables() -> list[type[Configurable]]:
    """pglab's public configurable classes that declare config options of their own."""
    found: dict[str, type[Configurable]] = {}
    for module_info in pkgutil.walk_packages(pglab.__path__, "pglab."):
        if ".cli" in module_info.name or module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, Configurable)
                and cls.__module__ == module.__name__
                and not name.startswith("_")
                and cls.class_own_traits(config=True)
            ):
                found[name] = cls
    return [found[name] for name in sorted(found)]


def _help(text: str) -> str:
    return " ".join(textwrap.dedent(text or "").split()) or "(no help declared)"


def render() -> str:
    parts = [HEADER]
    for cls in configurables():
        summary = _help((inspect.getdoc(cls) or "").split("\n\n")[0])
        parts.append(f"\n## {cls.__name__}\n\n`{cls.__module__}.{cls.__name__}`: {summary}\n")
        for name, trait in sorted(cls.class_own_traits(config=True).items()):
            kind = type(trait).__name__
            default = trait.default_value_repr()
            parts.append(
                f"\n### `c.{cls.__name__}.{name}`\n\n{kind}, default `{default}`.\n"
                f"{_help(trait.help)}\n"
            )
    return "".join(parts)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite docs/config.md")
    mode.add_argument("--check", action="store_true", help="exit 1 if it is out of date")
    parser.add_argument(
        "--output", default="docs/config.md", help="the file (default: docs/config.md)"
    )


def run(args: argparse.Namespace) -> int:
    text = render()
    target = Path(args.output)
    if args.write:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
        return 0
    if args.check:
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            print(f"{target} matches the code")
            return 0
        print(f"{target} is out of date: run `pglab config-reference --write`")
        return 1
    print(text, end="")
    return 0
