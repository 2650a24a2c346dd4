"""Make the copies that nbgrader's ``DeduplicateIds`` disowned plain cells.

``DeduplicateIds`` keeps the last cell with a given grade id and sets the others'
``nbgrader`` metadata to ``{}``.  nbgrader's ``OverwriteCells`` (with ``add_missing_cells``)
then reads ``["nbgrader"]["grade_id"]`` of every cell that has the key and fails with
``KeyError: 'grade_id'``, so one duplicated cell stops the whole submission from being
graded.  Dropping the empty key makes the copy an ordinary student cell instead.
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor


class ForgetDuplicateCells(NbGraderPreprocessor):
    """Remove empty ``nbgrader`` metadata left behind by ``DeduplicateIds``."""

    def preprocess_cell(self, cell, resources, index):
        if "nbgrader" in cell.metadata and not cell.metadata["nbgrader"]:
            del cell.metadata["nbgrader"]
        return cell, resources
