"""Grading through the real pipeline: plain `nbgrader autograde` with this course's config."""

from __future__ import annotations

import pytest
from support import ASSIGNMENT, corpus_files, student_id

from pglab.assignments import ASSIGNMENTS
from pglab.course import run_nbgrader, scores
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
def test_mutant_loses_points_on_exactly_the_right_cells(graded_class, path):
    """A deliberately wrong function loses the points of the cells that test it and keeps all
    others (a bug is charged once, even where other solution code calls the broken function),
    and the failing cell names the catalogued mistake."""
    settings = corpus_settings(path.read_text())
    student = student_id(path)
    cells = autograded_cells(graded_class, student)
    failed = {name for name, c in cells.items() if c.score < c.max_score}
    assert sorted(failed) == sorted(settings["FAILS"])
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


def _feedback(graded_class, student: str) -> str:
    course = graded_class.course_of(student)
    run_nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", student, "--force")
    path = course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    return path.read_text()


HIDDEN = ("BEGIN HIDDEN", "_pglab", "vnd.pglab", "default_rng([seed", "2026110", "pglab.")


def test_feedback_teaches_and_hides_the_hidden_tests(graded_class):
    """A wrong submission's feedback names the mistake with its points and a plot, and shows
    no hidden test code, seeds or grading package."""
    html = _feedback(graded_class, "mutants-reinforce_sign")
    assert "Your estimates have the wrong sign" in html
    assert "average to -dJ/dtheta" in html
    assert "data:image/png" in html
    assert "test_reinforce_unbiased" in html and "Score" in html
    assert [s for s in HIDDEN if s in html] == []


def test_regrading_is_byte_identical(graded_class):
    """Autograding a submission again gives the same scores, the same verdict outputs and
    byte-identical feedback."""
    student = "fixed-solution"
    course = graded_class.course_of(student)
    before_scores = scores(course, ASSIGNMENT)[student]
    before_cells = [c.get("outputs") for c in graded_class.notebook(student).cells]
    before_html = _feedback(graded_class, student)
    run_nbgrader(course, "autograde", ASSIGNMENT, "--student", student, "--force")
    assert scores(course, ASSIGNMENT)[student] == before_scores
    assert [c.get("outputs") for c in graded_class.notebook(student).cells] == before_cells
    assert _feedback(graded_class, student) == before_html
