"""What every pglab and nbgrader process pays before it does anything."""

from __future__ import annotations

import ast
import subprocess
import sys


def imported_modules(imports: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with ``prefixes`` that a fresh interpreter has loaded after
    ``import {imports}``."""
    probe = (
        f"import sys, {imports}\n"
        f"print(sorted(m for m in sys.modules if m.startswith({prefixes!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())


def test_nbformat_does_not_build_rfc3987_grammars_at_import() -> None:
    """jsonschema 4.25+ imports rfc3987-syntax when it is installed, which builds a grammar
    for a second at import: every process that reads a notebook would pay it (pyproject.toml
    keeps jsonschema below 4.25, so pip does not install it)."""
    assert imported_modules("nbformat, pglab.cli.main", ("rfc3987_syntax", "lark")) == []


def test_loading_the_checks_does_not_import_pyplot() -> None:
    """Every nbgrader and pglab command loads pglab's preprocessors and checks (through
    nbgrader_config.py) and most never draw: pyplot, half a second of import, is imported
    when the first figure is drawn (pglab.checks.figures.pyplot), not at load."""
    loaded = "pglab.cli.main, pglab.preprocessors, pglab.pipeline.report"
    assert imported_modules(loaded, ("matplotlib.pyplot",)) == []


def test_a_process_that_imported_pglab_skips_the_final_collections() -> None:
    """A process that imported pglab (every nbgrader command of the course, every pglab
    command) freezes its objects at exit, so that the interpreter's teardown does not run the
    garbage collector over nbgrader's modules (half a CPU-second each); atexit hooks
    registered before and after pglab's still run."""
    probe = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen at the end:', gc.get_freeze_count() > 0))\n"
        "import pglab\n"
        "atexit.register(lambda: print('hook after pglab ran'))\n"
        "print('frozen while running:', gc.get_freeze_count() > 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "frozen while running: False",
        "hook after pglab ran",
        "frozen at the end: True",
    ]
