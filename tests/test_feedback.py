"""`pglab grade` renders feedback in parallel, only for those who need it, with the bytes a
plain serial `nbgrader generate_feedback` writes."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from support import ASSIGNMENT, pglab
from test_cluster import _files, _put, _wrong
from test_pglab_grade import Class

from pglab.course import run_nbgrader

pytestmark = pytest.mark.pipeline


def _page(course, student):
    return course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"


def test_feedback_is_parallel_incremental_and_the_same_as_nbgraders(tmp_path):
    klass = Class(tmp_path)
    course = klass.course
    _put(course, "ann", nbformat.writes(klass.correct()).encode())
    _put(course, "bob", nbformat.writes(_wrong(klass)).encode())
    _put(course, "cyd", nbformat.writes(klass.correct()).encode())

    # What nbgrader's exchange leaves next to a collected notebook: release_feedback needs the
    # secret in feedback/, which generate_feedback copies from autograded/, as autograde does.
    secret = course / "submitted" / "ann" / ASSIGNMENT / "submission_secret.txt"
    secret.write_text("0123abcd\n")

    first = pglab(course, "--jobs", "2", quiet=False)
    assert first.returncode == 0 and "3 graded" in first.stdout, first.stdout + first.stderr
    # Not on a terminal, the progress is a line per notebook, not a bar redrawn with \r.
    assert "\r" not in first.stderr
    lines = [line.split() for line in first.stderr.splitlines() if line.startswith("grading ")]
    assert [line[:3] for line in lines] == [
        ["grading", f"{ASSIGNMENT}:", f"{k}/3"] for k in (1, 2, 3)
    ], first.stderr
    assert sorted(line[3:] for line in lines) == [
        [f"{s}:", "graded"] for s in ("ann", "bob", "cyd")
    ]
    assert "feedback could not be generated" not in first.stdout
    assert (course / "autograded" / "ann" / ASSIGNMENT / "submission_secret.txt").read_text() == (
        "0123abcd\n"
    )
    ours = _files(course, "feedback")
    pages = [f"{s}/{ASSIGNMENT}/{ASSIGNMENT}.html" for s in ("ann", "bob", "cyd")]
    assert sorted(ours) == sorted([*pages, f"ann/{ASSIGNMENT}/submission_secret.txt"])

    serial = tmp_path / "serial"
    shutil.copytree(course, serial)
    shutil.rmtree(serial / "feedback")
    run_nbgrader(serial, "generate_feedback", ASSIGNMENT, "--force")
    assert _files(serial, "feedback") == ours

    # bob fixes his notebook: only his page is rendered again.
    untouched = {s: _page(course, s).stat().st_mtime_ns for s in ("ann", "cyd")}
    bob_before = _page(course, "bob").read_bytes()
    _put_again = course / "submitted" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    _put_again.write_text(nbformat.writes(klass.correct()))
    second = pglab(course, "--jobs", "2")
    assert "1 graded, 2 unchanged" in second.stdout, second.stdout
    assert {s: _page(course, s).stat().st_mtime_ns for s in ("ann", "cyd")} == untouched
    assert _page(course, "bob").read_bytes() != bob_before

    # A page that went missing (or a run with --no-feedback) is rendered on the next run.
    _page(course, "cyd").unlink()
    third = pglab(course, "--jobs", "2")
    assert "0 graded, 3 unchanged" in third.stdout, third.stdout
    assert _page(course, "cyd").is_file()
    assert {s: _page(course, s).stat().st_mtime_ns for s in ("ann",)} == {"ann": untouched["ann"]}
