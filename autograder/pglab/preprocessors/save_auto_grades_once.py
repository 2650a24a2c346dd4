"""nbgrader's ``SaveAutoGrades``, committing once per notebook instead of once per cell.

``SaveAutoGrades`` commits the gradebook after every grade and every solution cell: about 30
SQLite commits, each a disk sync, for one ``reinforce`` notebook, and most of the time the
single writer spends per submission. This subclass runs nbgrader's own per-cell code
unchanged but turns those commits into flushes and commits once at the end: the same rows,
and a notebook's scores land all together or not at all.

Two differences:

- a cell left to a TA is saved as needing manual grading, with no automatic score: an answer
  cell left as given while the student typed text in cells of their own, next to it or
  elsewhere (``FlagAnswersInAddedCells`` marks it), with a comment saying where, instead of
  nbgrader's automatic 0 and "No response."; a test cell whose function could not be checked
  on any value because a helper it calls raised on every call (``WriteVerdicts`` marks it;
  its output says why, as nbgrader keeps comments for answer cells only), instead of
  nbgrader's full points;
- nbgrader flags every cell that has a TA's score for review again whenever a notebook is
  graded again; a cell with the TA's extra credit alone it leaves confirmed, without a word,
  and this step flags it too (its extra credit may be for an answer that changed). When the
  caller says the file is the very one graded before
  (``resources["pglab"]["answers_as_graded"]``: ``pglab grade`` after a change of the
  grading, ``--force`` or ``--student`` on an unchanged file), a written answer a TA had
  graded and confirmed stays confirmed: its text is the one the TA read; unless its points
  changed since that grading (``resources["pglab"]["graded_points"]``, grade cell -> its
  points then): the TA's score is then for other points, and kept but flagged. A TA's score
  on an autograded cell is still flagged, as its automatic score may have changed.
"""

from __future__ import annotations

from contextlib import contextmanager

from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades

from pglab.preprocessors.flag_answers_in_added_cells import answer_in_added_cells
from pglab.preprocessors.write_verdicts import unverified_excuse


def for_a_ta(cell) -> dict | None:
    """The mark (with its ``summary``) of a cell grading leaves to a TA, or None."""
    return answer_in_added_cells(cell) or unverified_excuse(cell)


def ta_points(grade) -> bool:
    """Whether a TA gave ``grade`` points in formgrader: a manual score or extra credit."""
    return grade.manual_score is not None or bool(grade.extra_credit)


def _as_graded(grade, resources) -> bool:
    """Whether ``grade``'s cell is the very one graded before, for the same points."""
    pglab = resources.get("pglab", {})
    before = pglab.get("graded_points", {}).get(grade.name)
    return bool(pglab.get("answers_as_graded")) and (
        before is not None and abs(before - float(grade.max_score)) < 1e-9
    )


@contextmanager
def _commits_deferred(session):
    """Inside: ``session.commit()`` only flushes; the caller commits afterwards."""
    session.commit = session.flush  # shadows the scoped session's proxy on this instance
    try:
        yield
    finally:
        del session.commit


class SaveAutoGradesOnce(SaveAutoGrades):
    """Save the autograder's scores and comments, in one transaction per notebook."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            session = self.gradebook.db
            try:
                with _commits_deferred(session):
                    nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
                session.commit()
            except BaseException:
                session.rollback()
                raise
        return nb, resources

    def _add_score(self, cell, resources):
        grade = self._find(self.gradebook.find_grade, cell)
        confirmed = ta_points(grade) and not grade.needs_manual_grade
        super()._add_score(cell, resources)
        as_graded = confirmed and utils.is_solution(cell) and _as_graded(grade, resources)
        if for_a_ta(cell):
            grade.auto_score = None
            # a marked answer a TA graded, in the very file and for the very points: kept
            grade.needs_manual_grade = not as_graded
        elif as_graded:
            # a written answer a TA graded, in the very file and for the very points they
            # graded: nothing to review
            grade.needs_manual_grade = False
        elif grade.extra_credit:  # nbgrader flags a TA's manual score only
            grade.needs_manual_grade = True

    def _add_comment(self, cell, resources):
        super()._add_comment(cell, resources)
        mark = answer_in_added_cells(cell)  # nbgrader keeps comments for answer cells only
        if mark:
            self._find(self.gradebook.find_comment, cell).auto_comment = mark["comment"]

    def _find(self, find, cell):
        return find(
            cell.metadata["nbgrader"]["grade_id"],
            self.notebook_id,
            self.assignment_id,
            self.student_id,
        )
