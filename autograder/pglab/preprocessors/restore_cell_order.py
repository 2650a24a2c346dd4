"""Put locked test cells back where the source has them.

A student can move a read-only test cell (drag and drop still works) above the function it
tests; it would then run before the function exists and fail, although nothing about the
student's code is wrong.  Each locked grade cell that is not a solution cell is moved to
just after the cell that precedes it in the source notebook, the rule nbgrader's
``OverwriteCells`` uses to put back a deleted cell.  Students' own cells stay where they are.
"""

from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


class RestoreCellOrder(NbGraderPreprocessor):
    """Move locked test cells back after their source predecessor (source from the bundle)."""

    def preprocess(self, nb, resources):
        order = [c.name for c in resources["pglab"]["notebook_spec"].source_cells]
        for previous, name in zip(order, order[1:], strict=False):
            ids = [_grade_id(c) for c in nb.cells]
            if ids.count(name) != 1 or ids.count(previous) != 1:
                continue
            here, anchor = ids.index(name), ids.index(previous)
            cell = nb.cells[here]
            if not (utils.is_grade(cell) and utils.is_locked(cell)) or utils.is_solution(cell):
                continue
            if anchor < here and all(i is None for i in ids[anchor + 1 : here]):
                continue  # after its predecessor; the student's own cells may sit between
            nb.cells.insert(anchor + 1 if anchor < here else anchor, nb.cells.pop(here))
            self.log.warning("Cell %s had been moved; put back after %s", name, previous)
        return nb, resources
