"""What every pglab and nbgrader process pays before it does anything."""

from __future__ import annotations

import subprocess
import sys


def test_nbformat_does_not_build_rfc3987_grammars_at_import() -> None:
    """jsonschema 4.25+ imports rfc3987-syntax when it is installed, which builds a grammar
    for a second at import: every process that reads a notebook would pay it (pyproject.toml
    keeps jsonschema below 4.25, so pip does not install it)."""
    probe = (
        "import sys, nbformat, pglab.cli.main\n"
        "print(sorted(m for m in sys.modules if m.startswith(('rfc3987_syntax', 'lark'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout


def test_loading_the_checks_does_not_import_pyplot() -> None:
    """Every nbgrader and pglab command loads pglab's preprocessors and checks (through
    nbgrader_config.py) and most never draw: pyplot, half a second of import, is imported
    when the first figure is drawn (pglab.checks.figures.pyplot), not at load."""
    probe = (
        "import sys, pglab.cli.main, pglab.preprocessors, pglab.pipeline.report\n"
        "print(sorted(m for m in sys.modules if m.startswith('matplotlib.pyplot')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout
