"""`pglab` run by its full path, without an activated environment."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support import ASSIGNMENT, REPOSITORY

pytestmark = pytest.mark.pipeline


def test_pglab_by_full_path_finds_its_own_alembic(tmp_path) -> None:
    """nbgrader runs `alembic` from PATH when it creates a gradebook; `pglab grade` on a fresh
    course (no gradebook yet), started as `.venv/bin/pglab` with a PATH that lacks the
    environment, must still create it."""
    script = Path(sys.executable).parent / "pglab"
    assert script.exists(), script
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPOSITORY / "nbgrader_config.py", course)
    shutil.copytree(REPOSITORY / "source", course / "source")
    inbox = tmp_path / "inbox" / "alice"
    inbox.mkdir(parents=True)
    shutil.copy(REPOSITORY / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", inbox)
    path = "/usr/bin:/bin"
    assert not any((Path(p) / "alembic").exists() for p in path.split(":")), (
        "this test needs a PATH without alembic"
    )
    result = subprocess.run(
        [str(script), "grade", ASSIGNMENT, str(inbox.parent), "--course", str(course), "--quiet"],
        cwd=tmp_path,
        env={"PATH": path, "HOME": str(tmp_path), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert "alembic" not in output, output
    with sqlite3.connect(course / "gradebook.db") as db:
        (version,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version, output
