"""What must never ship to students: the release leak check.

``release_leaks(course, name)`` lists every problem in ``release/<name>/``: nbgrader's
solution, hidden-test or mark-scheme markers; the grading package (its name, or an import of
it); a probe seed; a line of the instructor's solution code; the TA rubric. ``pglab release``
and ``pglab release --check`` fail on any, and ``tests/test_release.py`` runs the same
function, so the command and the test cannot drift apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from pglab.assignments import ASSIGNMENTS
from pglab.submissions import SOLUTION_MARKERS

MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "END MARK SCHEME",
)
PACKAGE = "pglab"
RUBRIC = "Rubric"
SHORTEST_SOLUTION_LINE = 16  # shorter solution lines ("return p", "else:") prove nothing


def seeds(name: str) -> set[str]:
    assignment = ASSIGNMENTS.get(name)
    return {str(probe.seed) for probe in assignment.probes.values()} if assignment else set()


def solution_lines(source: nbformat.NotebookNode) -> set[str]:
    """Distinctive lines between nbgrader's solution markers in the source notebook: exactly
    what generate_assignment replaces with a stub."""
    found, inside = set(), False
    for cell in source.cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped == SOLUTION_MARKERS[0]:
                inside = True
            elif stripped == SOLUTION_MARKERS[1]:
                inside = False
            elif (
                inside and len(stripped) >= SHORTEST_SOLUTION_LINE and not stripped.startswith("#")
            ):
                found.add(stripped)
    return found


def _imports_package(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == PACKAGE for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
            return True
    return False


def file_leaks(
    path: Path, secrets: set[str], solution: set[str], allow_rubric: bool = False
) -> list[str]:
    """Problems in one shipped file (notebooks are checked cell by cell, other files as text)."""
    text = path.read_text(errors="replace")
    found = [f"{path}: contains nbgrader's {m!r} marker" for m in MARKERS if m in text]
    if PACKAGE in text:
        found.append(f"{path}: mentions the grading package {PACKAGE!r}")
    found += [f"{path}: contains the probe seed {s}" for s in sorted(secrets) if s in text]
    if RUBRIC in text and not allow_rubric:
        found.append(f"{path}: contains the TA rubric")
    sources = [text]
    if path.suffix == ".ipynb":
        sources = [c.source for c in nbformat.read(path, as_version=4).cells]
    for source in sources:
        if path.suffix in (".ipynb", ".py") and _imports_package(source):
            found.append(f"{path}: imports the grading package")
        lines = {line.strip() for line in source.splitlines()}
        found += [f"{path}: contains solution code: {line!r}" for line in sorted(solution & lines)]
    return found


def release_leaks(course: Path, name: str, tree: str = "release") -> list[str]:
    """Every leak in ``<course>/<tree>/<name>/`` (tree "solutions" may carry the rubric and,
    being the published solution, its code)."""
    source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    folder = course / tree / name
    if not folder.is_dir():
        return [f"{folder}: missing"]
    solution = solution_lines(source) if tree == "release" else set()
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found += file_leaks(path, seeds(name), solution, allow_rubric=tree == "solutions")
    return found
