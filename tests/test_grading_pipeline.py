"""Grading through the real pipeline: plain `nbgrader autograde` with this course's config."""

from __future__ import annotations

import pytest
from support import ASSIGNMENT, ASSIGNMENTS, corpus_files, student_id

from pglab.assignments import ASSIGNMENTS as REGISTRY
from pglab.course import run_nbgrader, scores
from pglab.submissions import corpus_settings

pytestmark = pytest.mark.pipeline

#: The first autograded cell of each assignment, in notebook order.
FIRST_CELL = {"reinforce": "test_log_prob", "rewards_to_go": "test_softmax"}
FIXTURES = {"reinforce": "graded_class", "rewards_to_go": "graded_rewards_to_go"}


@pytest.fixture(params=ASSIGNMENTS)
def graded(request):
    """Each assignment's graded corpora in turn."""
    return request.getfixturevalue(FIXTURES[request.param])


def _corpus(kind):
    return [
        pytest.param(assignment, path, id=f"{assignment}-{path.stem}")
        for assignment in ASSIGNMENTS
        for path in corpus_files(kind, assignment)
    ]


def autograded_cells(graded_class, student):
    names = REGISTRY[graded_class.assignment].probes
    cells = graded_class.scores[student]
    return {name: cell for name, cell in cells.items() if name in names}


def test_solution_earns_full_marks(graded):
    """The instructor's solution, submitted as a student would, earns every autograded point."""
    cells = autograded_cells(graded, "fixed-solution")
    assert sorted(cells) == sorted(REGISTRY[graded.assignment].probes)
    lost = {name: (c.score, c.max_score) for name, c in cells.items() if c.score != c.max_score}
    assert lost == {}


def test_untouched_release_earns_nothing(graded):
    """The release as handed out earns no points on any API function."""
    cells = autograded_cells(graded, "fixed-release")
    assert sorted(cells) == sorted(REGISTRY[graded.assignment].probes)
    assert {name: c.score for name, c in cells.items() if c.score > 0} == {}
    first = FIRST_CELL[graded.assignment]
    assert "not implemented yet" in graded.cell_text("fixed-release", first)


def test_regrading_gives_identical_scores_and_feedback(graded):
    """The same notebook graded twice gets the same scores and byte-identical verdict text."""
    first, second = "fixed-solution", "fixed-solution-again"
    assert graded.scores[first] == graded.scores[second]
    for grade_id in REGISTRY[graded.assignment].probes:
        assert graded.cell_text(first, grade_id) == graded.cell_text(second, grade_id)


@pytest.mark.parametrize(("assignment", "path"), _corpus("mutants"))
def test_mutant_loses_points_on_exactly_the_right_cells(request, assignment, path):
    """A deliberately wrong function loses the points of the cells that test it and keeps all
    others (a bug is charged once, even where other solution code calls the broken function),
    and the failing cell names the catalogued mistake."""
    graded_class = request.getfixturevalue(FIXTURES[assignment])
    settings = corpus_settings(path.read_text())
    student = student_id(path)
    cells = autograded_cells(graded_class, student)
    for_a_ta = {name for name, c in cells.items() if c.needs_manual_grade}
    failed = {name for name, c in cells.items() if c.score < c.max_score} - for_a_ta
    assert sorted(failed) == sorted(settings["FAILS"])
    assert sorted(for_a_ta) == sorted(settings.get("FOR_A_TA", []))
    expected_diagnosis = settings.get("MISCONCEPTION")
    if expected_diagnosis:
        text = graded_class.cell_text(student, settings["FAILS"][0])
        assert f"[diagnosis: {expected_diagnosis}]" in text, text


@pytest.mark.parametrize(("assignment", "path"), _corpus("correct"))
def test_correct_variant_earns_full_marks(request, assignment, path):
    """Any exact implementation, whatever its style, earns every autograded point."""
    graded_class = request.getfixturevalue(FIXTURES[assignment])
    cells = autograded_cells(graded_class, student_id(path))
    assert sorted(cells) == sorted(REGISTRY[assignment].probes)
    lost = {
        name: graded_class.cell_text(student_id(path), name)
        for name, c in cells.items()
        if c.score != c.max_score
    }
    assert lost == {}


def test_an_answer_typed_in_cells_the_student_added_goes_to_a_ta(graded_class):
    """An answer cell left as given, with text in a cell the student added right below or
    right above it, is saved for manual grading with a comment saying where the answer is,
    not scored 0; with text the student added elsewhere (answers gathered at the end), every
    answer cell left as given is, with the beginning of that text quoted; the same cells in
    the untouched release keep nbgrader's automatic 0."""
    from nbgrader.api import Gradebook
    from support import ANSWERS_ADDED

    from pglab.preprocessors.flag_answers_in_added_cells import (
        ANSWER_ELSEWHERE_COMMENT,
        ANSWER_IN_ADDED_CELLS_COMMENT,
    )

    student = "fixed-answers-added"
    course = graded_class.course_of(student)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        found = {}
        for cell in ANSWERS_ADDED:
            grade = gradebook.find_grade(cell, ASSIGNMENT, ASSIGNMENT, student)
            comment = gradebook.find_comment(cell, ASSIGNMENT, ASSIGNMENT, student)
            found[cell] = (grade.auto_score, grade.needs_manual_grade, comment.auto_comment)
    elsewhere = f'{ANSWER_ELSEWHERE_COMMENT} "Q4. A constant baseline ...".'
    assert found == {
        "answer_score_function": (None, True, ANSWER_IN_ADDED_CELLS_COMMENT),  # below
        "answer_optimal_baseline": (None, True, ANSWER_IN_ADDED_CELLS_COMMENT),  # above
        "answer_variance": (None, True, elsewhere),  # a blank cell below, text at the end
        "answer_constant_baseline": (None, True, elsewhere),  # its answer at the end
    }
    for cell in ANSWERS_ADDED:
        assert graded_class.scores["fixed-release"][cell].needs_manual_grade is False


def test_a_deleted_answer_cell_is_restored_where_the_source_has_it(graded_class):
    """A written answer's cell the student deleted (it follows the question's read-only cell)
    comes back after that cell, for a TA, as nbgrader's add_missing_cells restores cells; the
    rest of the notebook is graded."""
    from support import DELETED_ANSWER

    student = "fixed-answers-added"
    assert graded_class.scores[student][DELETED_ANSWER].needs_manual_grade
    ids = [
        c.metadata.get("nbgrader", {}).get("grade_id") for c in graded_class.notebook(student).cells
    ]
    release = [
        c.metadata.get("nbgrader", {}).get("grade_id")
        for c in graded_class.notebook("fixed-release").cells
    ]
    before = release[release.index(DELETED_ANSWER) - 1]
    assert ids.index(DELETED_ANSWER) == ids.index(before) + 1
    assert sorted(graded_class.scores[student]) == sorted(graded_class.scores["fixed-release"])


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
