"""FlagAnswersInAddedCells on its own: which written answer cells it hands to a TA (the saving of
those marks through nbgrader is tests/test_grading_pipeline.py's)."""

from __future__ import annotations

import copy

import nbformat
import pytest
from support import REPOSITORY

from pglab.preprocessors.flag_answers_in_added_cells import (
    MARK,
    FlagAnswersInAddedCells,
    answer_in_added_cells,
)

RELEASE = nbformat.read(REPOSITORY / "release" / "reinforce" / "reinforce.ipynb", as_version=4)


def index_of(notebook, grade_id: str) -> int:
    return next(
        i
        for i, c in enumerate(notebook.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def marked(notebook) -> dict[str, int]:
    flagged, _ = FlagAnswersInAddedCells()(notebook, {"nbgrader": {"student": "ann"}})
    return {
        c.metadata.nbgrader["grade_id"]: answer_in_added_cells(c)
        for c in flagged.cells
        if answer_in_added_cells(c)
    }


@pytest.fixture
def release():
    return copy.deepcopy(RELEASE)


@pytest.mark.parametrize("assignment", ["reinforce", "rewards_to_go", "actor_critic"])
def test_the_release_as_given_has_nothing_marked(assignment):
    """The step takes every cell without nbgrader metadata for the student's own: no lesson
    may put such a cell (a demonstration) right before or after a written answer's cell."""
    path = REPOSITORY / "release" / assignment / f"{assignment}.ipynb"
    assert marked(nbformat.read(path, as_version=4)) == {}


def test_text_in_added_cells_below_an_unchanged_answer_is_marked(release):
    at = index_of(release, "answer_variance")
    release.cells.insert(at + 1, nbformat.v4.new_markdown_cell("Var grows with ..."))
    release.cells.insert(at + 2, nbformat.v4.new_code_cell("# and in code"))
    release.cells.insert(at + 3, nbformat.v4.new_markdown_cell("   "))
    assert marked(release) == {"answer_variance": 2}


def test_text_in_added_cells_above_an_unchanged_answer_is_marked(release):
    """Between the question and the answer cell, where JupyterLab adds a cell when the
    question is selected; counted with the cells below."""
    at = index_of(release, "answer_optimal_baseline")
    release.cells.insert(at, nbformat.v4.new_markdown_cell("b* = ..."))
    release.cells.insert(at, nbformat.v4.new_code_cell(""))  # empty: not counted
    at = index_of(release, "answer_optimal_baseline")
    release.cells.insert(at + 1, nbformat.v4.new_markdown_cell("because ..."))
    assert marked(release) == {"answer_optimal_baseline": 2}


def test_an_answer_in_its_cell_or_added_cells_elsewhere_are_not(release):
    answered = release.cells[index_of(release, "answer_score_function")]
    answered.source = "The score function is ..."
    answered_at = index_of(release, "answer_score_function")
    release.cells.insert(answered_at + 1, nbformat.v4.new_markdown_cell("more thoughts"))
    release.cells.insert(answered_at, nbformat.v4.new_markdown_cell("and above"))
    # text added beyond the lesson's nearest cell, on either side, is not next to the answer
    question = index_of(release, "answer_variance") - 1
    release.cells.insert(question, nbformat.v4.new_markdown_cell("scratch, above the question"))
    after_next = index_of(release, "answer_variance") + 2
    release.cells.insert(after_next, nbformat.v4.new_markdown_cell("scratch"))
    assert marked(release) == {}


def test_a_mark_in_the_students_file_is_removed(release):
    at = index_of(release, "answer_variance")
    release.cells[at].metadata["pglab"] = {MARK: 3}
    assert marked(release) == {}
