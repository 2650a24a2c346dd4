"""The actor_critic corpora through real `nbgrader autograde` (every mutant loses exactly its
cells with its diagnosis, every correct variant earns full marks, the solution everything and
the untouched release nothing), and `pglab grade actor_critic <folder>` through the real
command: scores, diagnoses, exports and the class report, as for the other assignments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from support import REPOSITORY, corpus_files, student_id, without_demonstrations

from pglab.assignments import ASSIGNMENTS
from pglab.course import nbgrader_env, scores, scratch_course
from pglab.submissions import build_submission, corpus_settings

pytestmark = pytest.mark.pipeline

NAME = "actor_critic"
PROBES = ASSIGNMENTS[NAME].probes
MUTANTS = corpus_files("mutants", NAME)
CORRECT = corpus_files("correct", NAME)
MUTANT = next(p for p in MUTANTS if p.stem == "gae_lambda_gamma_swapped")


def autograded_cells(graded, student):
    return {name: cell for name, cell in graded.scores[student].items() if name in PROBES}


# --------------------------------------------------------------------------- the corpora


def test_solution_earns_full_marks(graded_actor_critic):
    """The instructor's solution, submitted as a student would, earns every autograded point."""
    cells = autograded_cells(graded_actor_critic, "fixed-solution")
    assert sorted(cells) == sorted(PROBES)
    lost = {
        name: graded_actor_critic.cell_text("fixed-solution", name)
        for name, c in cells.items()
        if c.score != c.max_score
    }
    assert lost == {}


def test_untouched_release_earns_nothing(graded_actor_critic):
    cells = autograded_cells(graded_actor_critic, "fixed-release")
    assert sorted(cells) == sorted(PROBES)
    assert {name: c.score for name, c in cells.items() if c.score > 0} == {}
    text = graded_actor_critic.cell_text("fixed-release", "test_surrogate_loss")
    assert "not implemented yet" in text


def test_regrading_gives_identical_scores_and_feedback(graded_actor_critic):
    first, second = "fixed-solution", "fixed-solution-again"
    assert graded_actor_critic.scores[first] == graded_actor_critic.scores[second]
    for grade_id in PROBES:
        assert graded_actor_critic.cell_text(first, grade_id) == graded_actor_critic.cell_text(
            second, grade_id
        )


@pytest.mark.parametrize("path", MUTANTS, ids=lambda p: p.stem)
def test_mutant_loses_points_on_exactly_the_right_cells(graded_actor_critic, path):
    """A deliberately wrong function loses the points of the cells in its FAILS and keeps all
    others, and its first failing cell names the catalogued mistake."""
    settings = corpus_settings(path.read_text())
    student = student_id(path)
    cells = autograded_cells(graded_actor_critic, student)
    failed = {name for name, c in cells.items() if c.score < c.max_score}
    assert sorted(failed) == sorted(settings["FAILS"])
    text = graded_actor_critic.cell_text(student, settings["FAILS"][0])
    assert f"[diagnosis: {settings['MISCONCEPTION']}]" in text, text


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_earns_full_marks(graded_actor_critic, path):
    """Any exact implementation, whatever its style, earns every autograded point."""
    cells = autograded_cells(graded_actor_critic, student_id(path))
    assert sorted(cells) == sorted(PROBES)
    lost = {
        name: graded_actor_critic.cell_text(student_id(path), name)
        for name, c in cells.items()
        if c.score != c.max_score
    }
    assert lost == {}


# --------------------------------------------------------------------------- pglab grade


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A folder of three hand-ins (right and one wrong function, both without the lesson's
    demonstrations, and the untouched release) in three layouts (a student folder, a Canvas
    export name, an LMS re-upload name), graded by `pglab grade`."""
    root = tmp_path_factory.mktemp("grade-actor-critic")
    course = scratch_course(REPOSITORY, root / "course", [NAME])
    source = nbformat.read(course / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / NAME / f"{NAME}.ipynb", as_version=4)
    folder = root / "handins"
    folder.mkdir()
    hand_ins = {
        "ann/actor_critic.ipynb": without_demonstrations(
            build_submission(release, source, '"""The solution."""\n')
        ),
        "bob_12345_67890_actor_critic.ipynb": without_demonstrations(
            build_submission(release, source, MUTANT.read_text())
        ),
        "cyd/actor_critic (1).ipynb": release,
    }
    for relative, notebook in hand_ins.items():
        (folder / relative).parent.mkdir(exist_ok=True)
        nbformat.write(notebook, folder / relative)
    result = subprocess.run(
        [sys.executable, "-m", "pglab", "grade", NAME, str(folder), "--quiet"],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return course, result


def _autograded(course: Path) -> dict[str, dict[str, float]]:
    return {
        student: {name: c.score for name, c in cells.items() if name in PROBES}
        for student, cells in scores(course, NAME).items()
    }


def test_pglab_grade_scores_follow_the_submissions(graded):
    course, result = graded
    assert result.returncode == 0, result.stdout + result.stderr
    table = _autograded(course)
    maximum = {name: c.max_score for name, c in scores(course, NAME)["ann"].items()}
    assert table["ann"] == {name: maximum[name] for name in PROBES}
    assert sum(table["cyd"].values()) == 0
    lost = {name for name, score in table["12345"].items() if score < maximum[name]}
    assert sorted(lost) == sorted(corpus_settings(MUTANT.read_text())["FAILS"])


def test_pglab_grade_exports_and_report_name_the_assignment_and_its_misconception(graded):
    course, _ = graded
    assert (course / "exports" / "grades.csv").read_text().count(NAME) >= 3
    assert (course / "exports" / f"{NAME}-canvas.csv").exists()
    report = (course / "reports" / f"{NAME}.html").read_text()
    mistake = corpus_settings(MUTANT.read_text())["MISCONCEPTION"]
    assert mistake in report
    feedback = next(m.feedback for m in ASSIGNMENTS[NAME].catalogue if m.id == mistake)
    assert feedback.split(":")[0] in report
