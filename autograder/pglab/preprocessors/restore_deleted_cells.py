"""nbgrader's ``OverwriteCells``, putting back a deleted graded cell wherever it was.

With ``c.OverwriteCells.add_missing_cells``, nbgrader restores a graded cell the student
deleted after the source cell that precedes it, but finds that cell only among the graded
and solution cells of the submission: when the predecessor is a read-only cell of the lesson
(every written answer here follows its question's cell), it raises ``KeyError`` and the whole
notebook cannot be graded. This subclass puts each missing graded cell after the nearest
earlier source cell the submission still has (any cell with nbgrader metadata), or first,
and builds the cell with nbgrader's own ``missing_cell_transform`` (as a ``NotebookNode``:
nbgrader inserts a plain dict, which later steps cannot read as a cell).
"""

from __future__ import annotations

from nbformat import from_dict
from nbgrader.preprocessors import OverwriteCells


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


class OverwriteCellsRestoringAnyCell(OverwriteCells):
    """``OverwriteCells`` whose deleted graded cells go back after any earlier source cell."""

    def add_missing_grade_cells(self, nb, resources):
        source = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [cell.name for cell in source.source_cells]
        cells = {cell.name: cell for cell in source.source_cells}
        solutions = {cell.name for cell in source.solution_cells}
        for graded in source.grade_cells:
            present = {_grade_id(c): i for i, c in enumerate(nb.cells) if _grade_id(c)}
            if graded.name in present:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", graded.name)
            earlier = order[: order.index(graded.name)]
            after = next((present[n] for n in reversed(earlier) if n in present), -1)
            restored = self.missing_cell_transform(
                cells[graded.name], graded.max_score, is_solution=graded.name in solutions
            )
            nb.cells.insert(after + 1, from_dict(restored))  # a NotebookNode, as read cells are
        return nb, resources
