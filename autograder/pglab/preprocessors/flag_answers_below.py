"""Send a written answer typed below its answer cell to a TA, instead of scoring it 0.

nbgrader scores an answer cell whose text is still the release's (``YOUR ANSWER HERE``) 0
points, with the comment "No response.", and never lists it for manual grading: a student
who wrote the answer in a new cell of their own below it got 0 that no TA would see. This
step finds each unchanged answer cell followed, before the lesson's next cell, by cells of
the student's own that hold text (cells without nbgrader metadata: the lessons put none of
theirs right after an answer cell, which ``tests/test_flag_answers_below.py`` checks), and
marks it (``metadata.pglab.answer_below``: how many such cells). ``SaveAutoGradesOnce`` then
saves it as needing manual grading, with a comment that says where the answer is, and
``pglab grade`` reports no automatic score for it. A marker already in the student's file is
removed first, so only this step sets it.
"""

from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

#: The comment saved on such a cell, shown to the TA in formgrader and to the student on
#: the feedback page.
ANSWER_BELOW_COMMENT = (
    "This cell was left as given; the answer seems to be in the cell(s) added below it, "
    "which a TA grades instead."
)


#: A marked cell's summary in ``pglab grade``'s results (its output lists such cells).
ANSWER_BELOW_SUMMARY = "left as given; the answer seems typed in cells added below it: for a TA"


def answer_below(cell) -> int:
    """How many of the student's own cells with text follow this answer cell (0: none, or
    the step did not mark it)."""
    return int(cell.metadata.get("pglab", {}).get("answer_below", 0) or 0)


def _own(cell) -> bool:
    return not cell.metadata.get("nbgrader", {}).get("grade_id")


class FlagAnswersBelow(NbGraderPreprocessor):
    """Mark unchanged answer cells followed by the student's own cells with text."""

    def preprocess(self, nb, resources):
        marked = []
        for index, cell in enumerate(nb.cells):
            cell.metadata.get("pglab", {}).pop("answer_below", None)
            if not (utils.is_grade(cell) and utils.is_solution(cell)):
                continue
            if cell.metadata.nbgrader.get("checksum") != utils.compute_checksum(cell):
                continue  # answered in place (or the cell was changed): nbgrader's rule
            written = 0
            for below in nb.cells[index + 1 :]:
                if not _own(below):
                    break
                written += bool(str(below.source).strip())
            if written:
                cell.metadata.setdefault("pglab", {})["answer_below"] = written
                marked.append(cell.metadata.nbgrader["grade_id"])
        if marked:  # nbgrader names the student in the line before
            self.log.warning(
                "%s left as given, with text in cells added below: for manual grading",
                ", ".join(marked),
            )
        return nb, resources
