"""`pglab grade rewards_to_go <folder>` through the real command: scores, diagnoses, exports and
the class report work for the second assignment as they do for the first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from support import REPOSITORY, corpus_files, without_demonstrations

from pglab.assignments import ASSIGNMENTS
from pglab.course import nbgrader_env, scores, scratch_course
from pglab.submissions import build_submission, corpus_settings

pytestmark = pytest.mark.pipeline

NAME = "rewards_to_go"
MUTANT = next(
    p for p in corpus_files("mutants", NAME) if p.stem == "rewards_to_go_excludes_current"
)
#: A softmax whose nan every caller propagates: the dual-path cells could not check the
#: estimators on any value, so they go to a TA.
UNCHECKABLE = next(p for p in corpus_files("mutants", NAME) if p.stem == "softmax_no_exp")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A folder of four hand-ins (right, one wrong function and a helper whose nan leaves two
    cells uncheckable, all without the lesson's demonstrations, and the untouched release) in
    three layouts (student folders, a Canvas export name, an LMS re-upload name), graded."""
    root = tmp_path_factory.mktemp("grade-rewards-to-go")
    course = scratch_course(REPOSITORY, root / "course", [NAME])
    source = nbformat.read(course / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / NAME / f"{NAME}.ipynb", as_version=4)
    folder = root / "handins"
    folder.mkdir()
    hand_ins = {
        "ann/rewards_to_go.ipynb": without_demonstrations(
            build_submission(release, source, '"""The solution."""\n')
        ),
        "bob_12345_67890_rewards_to_go.ipynb": without_demonstrations(
            build_submission(release, source, MUTANT.read_text())
        ),
        "cyd/rewards_to_go (1).ipynb": release,
        "dee/rewards_to_go.ipynb": without_demonstrations(
            build_submission(release, source, UNCHECKABLE.read_text())
        ),
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
        timeout=900,
    )
    return course, result


def _autograded(course: Path) -> dict[str, dict[str, float]]:
    probes = ASSIGNMENTS[NAME].probes
    return {
        student: {name: c.score for name, c in cells.items() if name in probes}
        for student, cells in scores(course, NAME).items()
    }


def test_scores_follow_the_submissions(graded):
    course, result = graded
    assert result.returncode == 0, result.stdout + result.stderr
    table = _autograded(course)
    maximum = {name: c.max_score for name, c in scores(course, NAME)["ann"].items()}
    assert table["ann"] == {name: maximum[name] for name in ASSIGNMENTS[NAME].probes}
    assert sum(table["cyd"].values()) == 0
    lost = {name for name, score in table["12345"].items() if score < maximum[name]}
    assert sorted(lost) == sorted(corpus_settings(MUTANT.read_text())["FAILS"])


def test_cells_that_could_not_be_checked_are_left_to_a_ta_and_named(graded):
    """No automatic score either way: formgrader lists them for manual grading, pglab grade
    names them, and the report and exports count them as waiting for a TA."""
    from pglab.preprocessors.write_verdicts import UNVERIFIED_SUMMARY

    course, result = graded
    settings = corpus_settings(UNCHECKABLE.read_text())
    cells = scores(course, NAME)["dee"]
    probes = ASSIGNMENTS[NAME].probes
    waiting = sorted(name for name, c in cells.items() if c.needs_manual_grade and name in probes)
    assert waiting == sorted(settings["FOR_A_TA"])
    for name in settings["FOR_A_TA"]:
        assert f"  dee: {name} {UNVERIFIED_SUMMARY}" in result.stdout.splitlines(), result.stdout
    lost = {n for n, c in cells.items() if n in probes and c.score < c.max_score}
    assert sorted(lost) == sorted(settings["FAILS"] + settings["FOR_A_TA"])


def test_exports_and_report_name_the_assignment_and_its_misconceptions(graded):
    course, _ = graded
    assert (course / "exports" / "grades.csv").read_text().count(NAME) >= 3
    assert (course / "exports" / f"{NAME}-canvas.csv").exists()
    report = (course / "reports" / f"{NAME}.html").read_text()
    assert "rewards_to_go.excludes_current" in report
    feedback = next(
        m.feedback for m in ASSIGNMENTS[NAME].catalogue if m.id == "rewards_to_go.excludes_current"
    )
    assert feedback.split(":")[0] in report
    assert "test_variance_reduction" in report
