"""FlagAnswersInAddedCells on its own: which written answer cells it hands to a TA (the saving of
those marks through nbgrader is tests/test_grading_pipeline.py's)."""

from __future__ import annotations

import copy

import nbformat
import pytest
from support import REPOSITORY

from pglab.preprocessors.flag_answers_in_added_cells import (
    ANSWER_ELSEWHERE_COMMENT,
    ANSWER_IN_ADDED_CELLS_COMMENT,
    ELSEWHERE,
    MARK,
    NEXT,
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


def marks(notebook) -> dict[str, dict]:
    flagged, _ = FlagAnswersInAddedCells()(notebook, {"nbgrader": {"student": "ann"}})
    return {
        c.metadata.nbgrader["grade_id"]: answer_in_added_cells(c)
        for c in flagged.cells
        if answer_in_added_cells(c)
    }


def marked(notebook) -> dict[str, tuple[str, int]]:
    """Each marked answer cell: where the text is, and in how many added cells."""
    return {grade_id: (m["where"], m["cells"]) for grade_id, m in marks(notebook).items()}


ANSWERS = [
    "answer_score_function",
    "answer_variance",
    "answer_optimal_baseline",
    "answer_constant_baseline",
    "answer_leave_one_out",
]


@pytest.fixture
def release():
    return copy.deepcopy(RELEASE)


@pytest.mark.parametrize("assignment", ["reinforce", "rewards_to_go", "actor_critic"])
def test_the_release_as_given_has_nothing_marked(assignment):
    """The step takes every cell without nbgrader metadata for the student's own: no lesson
    may put such a cell (a demonstration) right before or after a written answer's cell, and
    every Markdown cell of a lesson is one of its read-only cells."""
    path = REPOSITORY / "release" / assignment / f"{assignment}.ipynb"
    release = nbformat.read(path, as_version=4)
    assert marked(release) == {}
    lesson_text = [c for c in release.cells if c.cell_type in ("markdown", "raw")]
    assert all(c.metadata.get("nbgrader", {}).get("grade_id") for c in lesson_text)


def test_the_answers_are_the_releases():
    assert [
        c.metadata.nbgrader["grade_id"]
        for c in RELEASE.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "markdown"
    ] == ANSWERS


def test_text_in_added_cells_below_an_unchanged_answer_is_marked(release):
    at = index_of(release, "answer_variance")
    release.cells.insert(at + 1, nbformat.v4.new_markdown_cell("Var grows with ..."))
    release.cells.insert(at + 2, nbformat.v4.new_code_cell("# and in code"))
    release.cells.insert(at + 3, nbformat.v4.new_markdown_cell("   "))
    assert marked(release) == {"answer_variance": (NEXT, 2)}
    assert marks(release)["answer_variance"]["comment"] == ANSWER_IN_ADDED_CELLS_COMMENT


def test_text_in_added_cells_above_an_unchanged_answer_is_marked(release):
    """Between the question and the answer cell, where JupyterLab adds a cell when the
    question is selected; counted with the cells below."""
    at = index_of(release, "answer_optimal_baseline")
    release.cells.insert(at, nbformat.v4.new_markdown_cell("b* = ..."))
    release.cells.insert(at, nbformat.v4.new_code_cell(""))  # empty: not counted
    at = index_of(release, "answer_optimal_baseline")
    release.cells.insert(at + 1, nbformat.v4.new_markdown_cell("because ..."))
    assert marked(release) == {"answer_optimal_baseline": (NEXT, 2)}


def test_an_answer_in_its_cell_and_code_added_elsewhere_mark_nothing(release):
    """Text next to an answered cell belongs to that answer; code cells away from every
    answer cell are the student's experiments."""
    answered = release.cells[index_of(release, "answer_score_function")]
    answered.source = "The score function is ..."
    answered_at = index_of(release, "answer_score_function")
    release.cells.insert(answered_at + 1, nbformat.v4.new_markdown_cell("more thoughts"))
    release.cells.insert(answered_at, nbformat.v4.new_markdown_cell("and above"))
    # code added beyond the lesson's nearest cell, on either side, and at the end
    question = index_of(release, "answer_variance") - 1
    release.cells.insert(question, nbformat.v4.new_code_cell("print(theta)  # scratch"))
    after_next = index_of(release, "answer_variance") + 2
    release.cells.insert(after_next, nbformat.v4.new_code_cell("x = 1"))
    release.cells.append(nbformat.v4.new_code_cell("# trying things"))
    release.cells.append(nbformat.v4.new_markdown_cell("  \n"))  # blank text: nothing
    assert marked(release) == {}


def test_text_added_elsewhere_marks_every_answer_left_as_given(release):
    """Answers gathered at the end of the notebook (or anywhere away from every answer cell)
    cannot be matched to their questions: each answer cell left as given goes to a TA, with
    the beginning of those cells quoted; answered cells and cells with text next to them keep
    their own treatment."""
    release.cells[index_of(release, "answer_score_function")].source = "answered in place"
    at = index_of(release, "answer_optimal_baseline")
    release.cells.insert(at + 1, nbformat.v4.new_markdown_cell("b* = ... next to it"))
    release.cells.append(nbformat.v4.new_markdown_cell("**Q2.** The variance grows as ..."))
    release.cells.append(nbformat.v4.new_markdown_cell("Q4: a constant baseline ..."))
    assert marked(release) == {
        "answer_variance": (ELSEWHERE, 2),
        "answer_optimal_baseline": (NEXT, 1),
        "answer_constant_baseline": (ELSEWHERE, 2),
        "answer_leave_one_out": (ELSEWHERE, 2),
    }
    comment = marks(release)["answer_variance"]["comment"]
    quotes = '"Q2. The variance grows as ...", "Q4: a constant baseline ...".'
    assert comment == f"{ANSWER_ELSEWHERE_COMMENT} {quotes}"


def test_the_comment_quotes_plain_words_from_three_cells_at_most(release):
    """The comment is rendered as Markdown on the student's feedback page: the quotes leave
    markup out, and are cut at a word."""
    release.cells.append(nbformat.v4.new_markdown_cell("<script>alert(1)</script> `x` [a](b)"))
    release.cells.append(nbformat.v4.new_markdown_cell("word " * 30))
    release.cells.append(nbformat.v4.new_raw_cell("third"))
    release.cells.append(nbformat.v4.new_markdown_cell("fourth"))
    release.cells.append(nbformat.v4.new_markdown_cell("fifth"))
    comment = marks(release)["answer_variance"]["comment"]
    quotes = comment.removeprefix(ANSWER_ELSEWHERE_COMMENT)
    assert quotes == (
        ' "script alert 1 /script x a b", "' + "word " * 11 + 'word ...", "third" and 2 more.'
    )


def test_a_mark_in_the_students_file_is_removed(release):
    at = index_of(release, "answer_variance")
    release.cells[at].metadata["pglab"] = {MARK: {"where": NEXT, "cells": 3, "comment": "x"}}
    assert marked(release) == {}


def test_a_copy_of_a_lesson_cell_is_no_answer(release):
    """A lesson cell duplicated in JupyterLab (its copy loses the nbgrader metadata) holds the
    lesson's text, not an answer: it sends nothing to a TA."""
    question = release.cells[index_of(release, "answer_variance") - 1]
    release.cells.append(nbformat.v4.new_markdown_cell(question.source))
    assert marked(release) == {}
