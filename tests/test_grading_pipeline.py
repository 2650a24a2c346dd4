"""Grading through the real pipeline: plain `nbgrader autograde` with this course's config."""

from __future__ import annotations

import pytest
from conftest import ASSIGNMENT, corpus_files, student_id

from pglab.assignments import ASSIGNMENTS
from pglab.submissions import corpus_settings

pytestmark = pytest.mark.pipeline

AUTOGRADED = sorted(ASSIGNMENTS[ASSIGNMENT].probes)


def autograded_cells(graded_class, student):
    cells = graded_class.scores[student]
    return {name: cell for name, cell in cells.items() if name in AUTOGRADED}


def test_solution_earns_full_marks(graded_class):
    """The instructor's solution, submitted as a student would, earns every autograded point."""
    cells = autograded_cells(graded_class, "fixed-solution")
    assert sorted(cells) == AUTOGRADED
    lost = {name: (c.score, c.max_score) for name, c in cells.items() if c.score != c.max_score}
    assert lost == {}


def test_untouched_release_earns_nothing(graded_class):
    """The release as handed out earns no points on any API function."""
    cells = autograded_cells(graded_class, "fixed-release")
    assert sorted(cells) == AUTOGRADED
    assert {name: c.score for name, c in cells.items() if c.score > 0} == {}
    assert "not implemented yet" in graded_class.cell_text("fixed-release", "test_log_prob")


def test_regrading_gives_identical_scores_and_feedback(graded_class):
    """The same notebook graded twice gets the same scores and byte-identical verdict text."""
    first, second = "fixed-solution", "fixed-solution-again"
    assert graded_class.scores[first] == graded_class.scores[second]
    for grade_id in AUTOGRADED:
        assert graded_class.cell_text(first, grade_id) == graded_class.cell_text(second, grade_id)


@pytest.mark.parametrize("path", corpus_files("mutants"), ids=lambda p: p.stem)
def test_mutant_loses_points_on_the_right_cells(graded_class, path):
    """A deliberately wrong function loses the points of the cells that test it, and only those
    (plus cells whose solution code calls it, listed as ALSO_FAILS); the catalogue names it."""
    settings = corpus_settings(path.read_text())
    student = student_id(path)
    cells = autograded_cells(graded_class, student)
    failed = {name for name, c in cells.items() if c.score < c.max_score}
    must_fail = set(settings["FAILS"])
    may_fail = must_fail | set(settings.get("ALSO_FAILS", []))
    assert must_fail <= failed, f"should have lost points on {sorted(must_fail - failed)}"
    assert failed <= may_fail, f"lost points it should keep: {sorted(failed - may_fail)}"
    expected_diagnosis = settings.get("MISCONCEPTION")
    if expected_diagnosis:
        text = graded_class.cell_text(student, settings["FAILS"][0])
        assert f"[diagnosis: {expected_diagnosis}]" in text, text


@pytest.mark.parametrize("path", corpus_files("correct"), ids=lambda p: p.stem)
def test_correct_variant_earns_full_marks(graded_class, path):
    """Any exact implementation, whatever its style, earns every autograded point."""
    cells = autograded_cells(graded_class, student_id(path))
    assert sorted(cells) == AUTOGRADED
    lost = {
        name: graded_class.cell_text(student_id(path), name)
        for name, c in cells.items()
        if c.score != c.max_score
    }
    assert lost == {}
