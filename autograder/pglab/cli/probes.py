"""``pglab probes``: write the generated probe code into the source notebooks' hidden tests."""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat

from pglab.assignments import ASSIGNMENTS, Assignment
from pglab.probes import render, replace_hidden_region

HELP = "Regenerate (--write) or verify (--check) the hidden probe code in source notebooks."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite stale hidden regions")
    mode.add_argument("--check", action="store_true", help="exit 1 if any is stale (default)")
    parser.add_argument("--course", default=".", help="course directory (default: .)")


def stale_cells(assignment: Assignment, notebook: nbformat.NotebookNode) -> list[str]:
    """grade_ids whose hidden region differs from the rendered probe, or generated cells
    (``Assignment.generated``) that differ from their source; fixes them in place."""
    stale = []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in assignment.generated:
            text = assignment.generated[grade_id]()
            if cell.source != text:
                cell.source = text
                stale.append(grade_id)
            continue
        probe = assignment.probes.get(grade_id)
        if probe is None:
            continue
        updated = replace_hidden_region(cell.source, render(probe, assignment.probe_module))
        if updated != cell.source:
            cell.source = updated
            stale.append(grade_id)
    return stale


def source_notebook(course: Path, assignment: Assignment) -> Path:
    return course / "source" / assignment.name / f"{assignment.name}.ipynb"


def writes_course(args: argparse.Namespace) -> bool:
    """``--write`` rewrites the source notebooks; checking only reads them."""
    return args.write


def run(args: argparse.Namespace) -> int:
    status = 0
    for assignment in ASSIGNMENTS.values():
        path = source_notebook(Path(args.course), assignment)
        notebook = nbformat.read(path, as_version=4)
        stale = stale_cells(assignment, notebook)
        if stale and args.write:
            nbformat.write(notebook, path)
            print(f"{path}: rewrote {', '.join(stale)}")
        elif stale:
            print(f"{path}: stale probe code in {', '.join(stale)}; run `pglab probes --write`")
            status = 1
        else:
            print(f"{path}: probes up to date")
    return status
