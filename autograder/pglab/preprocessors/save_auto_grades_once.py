"""nbgrader's ``SaveAutoGrades``, committing once per notebook instead of once per cell.

``SaveAutoGrades`` commits the gradebook after every grade and every solution cell: about 30
SQLite commits, each a disk sync, for one ``reinforce`` notebook, and most of the time the
single writer spends per submission. This subclass runs nbgrader's own per-cell code
unchanged but turns those commits into flushes and commits once at the end: the same rows,
and a notebook's scores land all together or not at all.
"""

from __future__ import annotations

from contextlib import contextmanager

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades


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
