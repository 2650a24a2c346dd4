"""Building submissions from the release: used by the demo class and the test corpora."""

from __future__ import annotations

import copy

import nbformat

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solution_code(source: nbformat.NotebookNode) -> dict[str, str]:
    """The instructor's code for every solution cell, markers removed, by grade_id."""
    found = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = [
                line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS
            ]
            found[meta["grade_id"]] = "\n".join(lines)
    return found


def fill(release: nbformat.NotebookNode, code: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of the release notebook with the given solution cells' source replaced."""
    submission = copy.deepcopy(release)
    for cell in submission.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in code:
            cell.source = code[grade_id]
    return submission
