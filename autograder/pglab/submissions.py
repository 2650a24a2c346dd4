"""Building submissions from the release: used by the demo class and the test corpora."""

from __future__ import annotations

import ast
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


def overrides_from_python(text: str, api: set[str]) -> dict[str, str]:
    """Map each top-level ``def`` of an API function in ``text`` to its source.

    Used for corpus and demo files: one small Python file per submission that only states
    the functions it changes; everything else comes from the solution.  Other top-level
    code (imports, helper functions) goes at the top of the first API function's cell.
    """
    tree = ast.parse(text)
    lines = text.splitlines()
    found: dict[str, str] = {}
    preamble: list[str] = []
    for index, node in enumerate(tree.body):
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        segment = "\n".join(lines[start : node.end_lineno])
        if isinstance(node, ast.FunctionDef) and node.name in api:
            found[node.name] = segment
        elif index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the file's docstring
        elif _is_setting(node):
            continue
        else:
            preamble.append(segment)
    if preamble and found:
        first = next(iter(found))
        found[first] = "\n\n".join([*preamble, found[first]])
    return found


def _is_setting(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.isupper()
    )


def corpus_settings(text: str) -> dict[str, object]:
    """Top-level UPPER_CASE constants of a corpus file (its expectations), as Python values."""
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(text).body
        if _is_setting(node)
    }


def build_submission(
    release: nbformat.NotebookNode, source: nbformat.NotebookNode, corpus_text: str
) -> nbformat.NotebookNode:
    """The release filled with the solution, then with the corpus file's functions.

    A corpus file may also set ``KEEP_STUBS = ["name", ...]`` (or ``"all"``) to leave those
    cells as released (unanswered), ``ANSWERS = {"grade_id": "text"}`` for written answers,
    and ``EXTRA_CODE`` to append a code cell of its own.
    """
    solutions = solution_code(source)
    settings = corpus_settings(corpus_text)
    api = set(solutions)
    keep = settings.get("KEEP_STUBS", [])
    for name in api if keep == "all" else keep:
        solutions.pop(name)
    solutions.update(overrides_from_python(corpus_text, api))
    submission = fill(release, {**solutions, **settings.get("ANSWERS", {})})
    extra = settings.get("EXTRA_CODE")
    if extra:
        submission.cells.append(nbformat.v4.new_code_cell(extra))
    return submission
