"""SaveAutoGradesOnce writes exactly the rows nbgrader's SaveAutoGrades writes."""

from __future__ import annotations

import shutil
import sqlite3

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.preprocessors import SaveAutoGrades
from support import ASSIGNMENT, REPOSITORY

from pglab.course import scratch_course
from pglab.preprocessors import SaveAutoGradesOnce

pytestmark = pytest.mark.pipeline


def _graded_notebook() -> nbformat.NotebookNode:
    """The source notebook as if autograded: one test cell failed, one passed, the rest
    without outputs (passed, for nbgrader), and one answer left as released."""
    notebook = nbformat.read(
        REPOSITORY / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4
    )
    tests = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    tests = [c for c in tests if c.cell_type == "code"]
    tests[0].outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="no",
                                               traceback=[])]  # fmt: skip
    tests[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="ok\n")]
    return notebook


def _rows(database) -> dict[str, list[tuple]]:
    with sqlite3.connect(database) as connection:
        return {
            "grade": connection.execute(
                "SELECT c.name, g.auto_score, g.manual_score, g.needs_manual_grade "
                "FROM grade g JOIN base_cell c ON g.cell_id = c.id ORDER BY c.name"
            ).fetchall(),
            "comment": connection.execute(
                "SELECT c.name, m.auto_comment, m.manual_comment "
                "FROM comment m JOIN base_cell c ON m.cell_id = c.id ORDER BY c.name"
            ).fetchall(),
        }


@pytest.mark.parametrize("manual_score_first", [False, True], ids=["fresh", "after-a-ta"])
def test_same_rows_as_nbgrader(tmp_path, manual_score_first):
    course = scratch_course(REPOSITORY, tmp_path / "course", [ASSIGNMENT])
    databases = {}
    for name, preprocessor in (("stock", SaveAutoGrades), ("once", SaveAutoGradesOnce)):
        database = tmp_path / f"{name}.db"
        shutil.copy(course / "gradebook.db", database)
        url = f"sqlite:///{database}"
        with Gradebook(url) as gradebook:
            gradebook.update_or_create_student("ann")
            gradebook.update_or_create_submission(ASSIGNMENT, "ann")
            if manual_score_first:  # a TA's score makes the cell need review again
                grade = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "ann")
                grade = next(g for g in grade.grades if g.name.startswith("test_"))
                grade.manual_score = 0.5
                gradebook.db.commit()
        resources = {
            "nbgrader": {
                "notebook": ASSIGNMENT,
                "assignment": ASSIGNMENT,
                "student": "ann",
                "db_url": url,
            }
        }
        preprocessor()(_graded_notebook(), resources)
        databases[name] = _rows(database)
    assert databases["once"] == databases["stock"]
    scores = [row[1] for row in databases["once"]["grade"]]
    assert 0.0 in scores and any(s and s > 0 for s in scores)
    assert databases["once"]["comment"]


def test_a_failure_mid_notebook_writes_nothing(tmp_path, monkeypatch):
    """One transaction per notebook: an error partway leaves no partial scores behind."""
    course = scratch_course(REPOSITORY, tmp_path / "course", [ASSIGNMENT])
    url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.update_or_create_student("ann")
        gradebook.update_or_create_submission(ASSIGNMENT, "ann")
    before = _rows(course / "gradebook.db")
    calls = []

    def failing(self, cell, resources):
        calls.append(cell.metadata.nbgrader["grade_id"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return SaveAutoGrades._add_score(self, cell, resources)

    monkeypatch.setattr(SaveAutoGradesOnce, "_add_score", failing)
    resources = {"nbgrader": {"notebook": ASSIGNMENT, "assignment": ASSIGNMENT,
                              "student": "ann", "db_url": url}}  # fmt: skip
    with pytest.raises(RuntimeError, match="disk full"):
        SaveAutoGradesOnce()(_graded_notebook(), resources)
    assert _rows(course / "gradebook.db") == before


@pytest.mark.parametrize("as_graded", [True, False], ids=["same-file", "changed-file"])
def test_a_ta_grade_on_an_answer_left_to_a_ta_stays_confirmed_for_the_same_file(
    tmp_path, as_graded
):
    """An answer cell marked for a TA (its answer typed in added cells) that a TA graded and
    confirmed stays confirmed when the very file is graded again for the same points, and
    waits for review otherwise; it never gets an automatic score."""
    from pglab.preprocessors.flag_answers_in_added_cells import (
        ANSWER_IN_ADDED_CELLS_COMMENT,
        MARK,
        NEXT,
        SUMMARIES,
    )

    course = scratch_course(REPOSITORY, tmp_path / "course", [ASSIGNMENT])
    url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.update_or_create_student("ann")
        gradebook.update_or_create_submission(ASSIGNMENT, "ann")
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "ann")
        grade = next(g for g in notebook.grades if g.name == "answer_variance")
        grade.manual_score, grade.needs_manual_grade = 2.0, False  # the TA graded it
        gradebook.db.commit()
    graded = _graded_notebook()
    cell = next(
        c
        for c in graded.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_variance"
    )
    cell.metadata["pglab"] = {
        MARK: {
            "where": NEXT,
            "cells": 1,
            "summary": SUMMARIES[NEXT],
            "comment": ANSWER_IN_ADDED_CELLS_COMMENT,
        }  # fmt: skip
    }
    resources = {
        "nbgrader": {
            "notebook": ASSIGNMENT,
            "assignment": ASSIGNMENT,
            "student": "ann",
            "db_url": url,
        },  # fmt: skip
        "pglab": {"answers_as_graded": as_graded, "graded_points": {"answer_variance": 2.0}},
    }
    SaveAutoGradesOnce()(graded, resources)
    with Gradebook(url) as gradebook:
        grade = gradebook.find_grade("answer_variance", ASSIGNMENT, ASSIGNMENT, "ann")
        assert (grade.auto_score, grade.manual_score) == (None, 2.0)
        assert grade.needs_manual_grade is (not as_graded)
