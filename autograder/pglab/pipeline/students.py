"""Who is in the class for an assignment: the gradebook's submissions against the folders.

The gradebook is the record of who is graded. A student removed from it (``nbgrader db
student remove ID --force``: a student who leaves, docs/instructor.md) may still have an
``autograded/<student>/<assignment>/`` folder, from which nbgrader's ``generate_feedback``
fails for everyone it renders with them; and a student whose ``submitted/`` folder was
renamed or moved keeps their grade in the gradebook, and so in the exports, with no file
behind it. ``pglab grade`` and ``pglab export`` make and check feedback only for students the
gradebook has a submission for (:func:`class_folders`), and name the others in one line
each with what to do (:meth:`ClassFolders.warnings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


def with_submission(course: Path, assignment: str) -> list[str]:
    """The students the course's gradebook has a submission of ``assignment`` for."""
    from pglab.pipeline.run import db_url, load_config

    with Gradebook(db_url(course, load_config(course))) as gradebook:
        try:
            return sorted(s.student_id for s in gradebook.assignment_submissions(assignment))
        except MissingEntry:
            return []


def autograded(course: Path, assignment: str) -> list[str]:
    """The students with an ``autograded/<student>/<assignment>/`` folder."""
    folders = (course / "autograded").glob(f"*/{assignment}")
    return sorted(p.parent.name for p in folders if p.is_dir())


def _named(students: list[str]) -> str:
    shown = ", ".join(students[:10])
    return shown + (f" and {len(students) - 10} more" if len(students) > 10 else "")


@dataclass
class ClassFolders:
    """The students of ``assignment`` as the gradebook and the course's folders see them."""

    #: autograded, with a submission in the gradebook: whose feedback pglab makes
    autograded: list[str]
    #: autograded, but no submission in the gradebook (removed from it)
    left_over: list[str]
    #: a submission in the gradebook, but nothing in submitted/<student>/<assignment>/
    without_file: list[str]

    def warnings(self, command: str, assignment: str) -> list[str]:
        """One line for the left-over folders and one for the grades with no file, each
        saying what to do; none when there are none."""
        lines = []
        if self.left_over:
            one = len(self.left_over) == 1
            who = self.left_over[0] if one else "<student>"
            lines.append(
                f"pglab {command}: {_named(self.left_over)} {'has' if one else 'have'} an "
                f"autograded/{who}/{assignment}/ folder but no {assignment} in the gradebook "
                "(removed from it?): no feedback is made from it; if "
                f"{who if one else 'they'} left the course, move autograded/{who}/ and "
                f"feedback/{who}/ out of the course and delete .pglab/grade/*/{who}.json "
                "(docs/instructor.md, a student who leaves)"
            )
        if self.without_file:
            one = len(self.without_file) == 1
            who = self.without_file[0] if one else "<student>"
            lines.append(
                f"pglab {command}: {_named(self.without_file)} "
                f"{'has' if one else 'have'} a graded {assignment} in the gradebook but "
                f"nothing in submitted/{who}/{assignment}/, and the exports still list that "
                "grade: if the folder was renamed, give it its old name back (the folder's name "
                "is the student id); if the student left, remove them from the gradebook "
                "(docs/instructor.md, a student who leaves)"
            )
        return lines


def class_folders(course: Path, assignment: str) -> ClassFolders:
    """Compare the gradebook's submissions of ``assignment`` with autograded/ and submitted/."""
    graded = set(with_submission(course, assignment))
    folders = autograded(course, assignment)
    return ClassFolders(
        autograded=[s for s in folders if s in graded],
        left_over=[s for s in folders if s not in graded],
        without_file=sorted(
            s for s in graded if not (course / "submitted" / s / assignment).is_dir()
        ),
    )
