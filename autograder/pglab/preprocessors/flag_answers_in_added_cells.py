"""Send a written answer typed in cells the student added next to its answer cell to a TA,
instead of scoring it 0.

nbgrader scores an answer cell whose text is still the release's (``YOUR ANSWER HERE``) 0
points, with the comment "No response.", and never lists it for manual grading: a student
who wrote the answer in a new cell of their own got 0 that no TA would see. JupyterLab puts
a new cell below the selected one, so such a cell lands right below the answer cell (the
answer cell selected) or right above it (the question selected). This step finds each
unchanged answer cell with cells of the student's own that hold text on either side, up to
the lesson's nearest cell (cells without nbgrader metadata are the student's: the lessons put
none of theirs right before or after an answer cell, which
``tests/test_flag_answers_in_added_cells.py`` checks), and marks it
(``metadata.pglab.answer_in_added_cells``: how many such cells). ``SaveAutoGradesOnce`` then
saves it as needing manual grading, with a comment that says where the answer is, and
``pglab grade`` reports no automatic score for it. A marker already in the student's file is
removed first, so only this step sets it.
"""

from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

#: The metadata key (under ``pglab``) this step sets on a marked answer cell.
MARK = "answer_in_added_cells"

#: The comment saved on such a cell, shown to the TA in formgrader and to the student on
#: the feedback page.
ANSWER_IN_ADDED_CELLS_COMMENT = (
    "This cell was left as given; the answer seems to be in the cell(s) added right above or "
    "below it, which a TA grades instead."
)

#: A marked cell's summary in ``pglab grade``'s results (its output lists such cells).
ANSWER_IN_ADDED_CELLS_SUMMARY = (
    "left as given; the answer seems typed in cells added next to it: for a TA"
)


def answer_in_added_cells(cell) -> int:
    """How many of the student's own cells with text are next to this answer cell (0: none,
    or the step did not mark it)."""
    return int(cell.metadata.get("pglab", {}).get(MARK, 0) or 0)


def _own(cell) -> bool:
    return not cell.metadata.get("nbgrader", {}).get("grade_id")


def _with_text(cells) -> int:
    """How many of the leading own cells of ``cells`` hold text (up to the first lesson cell)."""
    written = 0
    for cell in cells:
        if not _own(cell):
            break
        written += bool(str(cell.source).strip())
    return written


class FlagAnswersInAddedCells(NbGraderPreprocessor):
    """Mark unchanged answer cells with the student's own cells with text right above or
    below them."""

    def preprocess(self, nb, resources):
        marked = []
        for index, cell in enumerate(nb.cells):
            cell.metadata.get("pglab", {}).pop(MARK, None)
            if not (utils.is_grade(cell) and utils.is_solution(cell)):
                continue
            if cell.metadata.nbgrader.get("checksum") != utils.compute_checksum(cell):
                continue  # answered in place (or the cell was changed): nbgrader's rule
            written = _with_text(nb.cells[index + 1 :]) + _with_text(nb.cells[:index][::-1])
            if written:
                cell.metadata.setdefault("pglab", {})[MARK] = written
                marked.append(cell.metadata.nbgrader["grade_id"])
        if marked:  # nbgrader names the student in the line before
            self.log.warning(
                "%s left as given, with text in cells added next to it: for manual grading",
                ", ".join(marked),
            )
        return nb, resources
