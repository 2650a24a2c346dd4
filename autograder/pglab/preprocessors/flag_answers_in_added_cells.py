"""Send a written answer typed in cells the student added, instead of in its answer cell, to a
TA rather than scoring it 0.

nbgrader scores an answer cell whose text is still the release's (``YOUR ANSWER HERE``) 0
points, with the comment "No response.", and never lists it for manual grading: a student
who wrote the answer in a new cell of their own got 0 that no TA would see. This step marks
each such unchanged answer cell (``metadata.pglab.answer_in_added_cells``) in two cases:

* **next to it**: cells of the student's own that hold text right below or right above it,
  up to the lesson's nearest cell. JupyterLab puts a new cell below the selected one, so an
  answer lands right below the answer cell (the answer cell selected) or right above it (the
  question selected);
* **elsewhere**: text (Markdown) cells of the student's own anywhere else in the notebook,
  next to no answer cell (answers gathered at the end, say). Which question such text
  answers cannot be told, so every answer cell left as given is marked, and the comment
  quotes the beginning of those cells for the TA to find them. Added code cells count only
  next to an answer cell: elsewhere they are the student's experiments; a copy of a lesson
  cell's text (a cell duplicated in JupyterLab) is no answer either. Any other note the
  student adds (a heading, a reminder) sends every blank answer to a TA, who gives the 0.

Cells without nbgrader metadata are the student's: every Markdown cell of the lessons is a
read-only cell, and none of their code cells without metadata is right before or after an
answer cell (``tests/test_flag_answers_in_added_cells.py`` checks both on every release).
``SaveAutoGradesOnce`` saves a marked cell as needing manual grading, with the mark's comment,
and ``pglab grade`` reports no automatic score for it. A mark already in the student's file is
removed first, so only this step sets it.
"""

from __future__ import annotations

import re

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

#: The metadata key (under ``pglab``) this step sets on a marked answer cell: ``where``
#: (``NEXT`` or ``ELSEWHERE``), ``cells`` (how many added cells hold text), ``summary`` (one
#: of ``SUMMARIES``) and ``comment``.
MARK = "answer_in_added_cells"
NEXT, ELSEWHERE = "next", "elsewhere"

#: The comment saved on a cell marked for text next to it, shown to the TA in formgrader and
#: to the student on the feedback page.
ANSWER_IN_ADDED_CELLS_COMMENT = (
    "This cell was left as given; the answer seems to be in the cell(s) added right above or "
    "below it, which a TA grades instead."
)

#: The comment on a cell marked for text elsewhere, before the quotes of those cells.
ANSWER_ELSEWHERE_COMMENT = (
    "This cell was left as given, and the notebook has text in cells the student added "
    "elsewhere, which may hold the answer; a TA reads them and grades it:"
)

#: A marked cell's summary in ``pglab grade``'s results (its output lists such cells).
SUMMARIES = {
    NEXT: "left as given; the answer seems typed in cells added next to it: for a TA",
    ELSEWHERE: "left as given, with text in cells added elsewhere in the notebook: for a TA",
}

#: How much of each added cell the comment quotes, and how many cells at most.
QUOTE_CHARACTERS = 60
QUOTED_CELLS = 3


def answer_in_added_cells(cell) -> dict | None:
    """This step's mark on an answer cell (``where``, ``cells``, ``summary``, ``comment``), or
    None."""
    mark = cell.metadata.get("pglab", {}).get(MARK)
    return mark if isinstance(mark, dict) and mark.get("where") in SUMMARIES else None


def _own(cell) -> bool:
    return not cell.metadata.get("nbgrader", {}).get("grade_id")


def _is_answer(cell) -> bool:
    return utils.is_grade(cell) and utils.is_solution(cell)


def _has_text(cell) -> bool:
    return bool(str(cell.source).strip())


def _own_run(cells, start: int, step: int) -> list[int]:
    """The indices of the student's own cells from ``start`` on, one way, up to a lesson cell."""
    run, index = [], start
    while 0 <= index < len(cells) and _own(cells[index]):
        run.append(index)
        index += step
    return run


#: Characters left out of a quote: the comment is rendered as Markdown on the feedback page,
#: and a quote only has to let the TA find the cell.
_MARKUP = re.compile(r"[<>&`*_\[\]()#|\\$~]")


def _quote(cell) -> str:
    text = " ".join(_MARKUP.sub(" ", str(cell.source)).split())
    if len(text) > QUOTE_CHARACTERS:
        text = text[:QUOTE_CHARACTERS].rsplit(" ", 1)[0] + " ..."
    return f'"{text}"'


def _elsewhere_comment(cells) -> str:
    quotes = [_quote(c) for c in cells[:QUOTED_CELLS]]
    more = len(cells) - len(quotes)
    return " ".join(
        [ANSWER_ELSEWHERE_COMMENT, ", ".join(quotes) + (f" and {more} more" if more else "") + "."]
    )


class FlagAnswersInAddedCells(NbGraderPreprocessor):
    """Mark unchanged answer cells with the student's own cells with text next to them, or,
    failing that, with the student's own text cells elsewhere in the notebook."""

    def preprocess(self, nb, resources):
        cells = nb.cells
        next_to_answers = set()
        unchanged = []
        for index, cell in enumerate(cells):
            cell.metadata.get("pglab", {}).pop(MARK, None)
            if not _is_answer(cell):
                continue
            around = _own_run(cells, index + 1, 1) + _own_run(cells, index - 1, -1)
            next_to_answers.update(around)
            if cell.metadata.nbgrader.get("checksum") != utils.compute_checksum(cell):
                continue  # answered in place (or the cell was changed): nbgrader's rule
            written = sum(_has_text(cells[i]) for i in around)
            unchanged.append((cell, written))
        lesson = {str(c.source).strip() for c in cells if not _own(c)}
        elsewhere = [
            c
            for i, c in enumerate(cells)
            if _own(c)
            and c.cell_type in ("markdown", "raw")
            and _has_text(c)
            and str(c.source).strip() not in lesson  # a lesson cell copied is no answer
            and i not in next_to_answers
        ]
        marked = []
        for cell, written in unchanged:
            if written:
                mark = {"where": NEXT, "cells": written, "comment": ANSWER_IN_ADDED_CELLS_COMMENT}
            elif elsewhere:
                mark = {
                    "where": ELSEWHERE,
                    "cells": len(elsewhere),
                    "comment": _elsewhere_comment(elsewhere),
                }
            else:
                continue
            mark["summary"] = SUMMARIES[mark["where"]]
            cell.metadata.setdefault("pglab", {})[MARK] = mark
            marked.append(f"{cell.metadata.nbgrader['grade_id']} ({mark['where']})")
        if marked:  # nbgrader names the student in the line before
            self.log.warning(
                "%s left as given, with text in cells the student added: for manual grading",
                ", ".join(marked),
            )
        return nb, resources
