"""Just enough of nbgrader's ``Gradebook`` for its cell-restoring preprocessors, from a bundle.

nbgrader's ``OverwriteCells`` and ``OverwriteKernelspec`` look the source version of each
cell up in the gradebook.  Workers have no gradebook, only the bundle, so these subclasses
hand them an in-memory stand-in and otherwise run nbgrader's own code unchanged.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from nbgrader.api import MissingEntry
from nbgrader.preprocessors import OverwriteCells, OverwriteKernelspec

from pglab.grading.bundle import NotebookSpec
from pglab.preprocessors.restore_deleted_cells import OverwriteCellsRestoringAnyCell


class MemoryGradebook:
    def __init__(self, spec: NotebookSpec):
        self.spec = spec
        self.sources = {c.name: c for c in spec.source_cells}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def find_notebook(self, name: str, assignment: str):
        return SimpleNamespace(
            name=self.spec.name,
            kernelspec=self.spec.kernelspec,
            source_cells=list(self.spec.source_cells),
            grade_cells=[
                SimpleNamespace(name=n, max_score=p) for n, p in self.spec.grade_cells.items()
            ],
            solution_cells=[SimpleNamespace(name=n) for n in self.spec.solution_cells],
            task_cells=[
                SimpleNamespace(name=n, max_score=p) for n, p in self.spec.task_cells.items()
            ],
        )

    def find_source_cell(self, name: str, notebook: str, assignment: str):
        if name not in self.sources:
            raise MissingEntry()
        return self.sources[name]

    def find_graded_cell(self, name: str, notebook: str, assignment: str):
        points = self.spec.grade_cells.get(name, self.spec.task_cells.get(name))
        if points is None:
            raise MissingEntry()
        return SimpleNamespace(name=name, max_score=points)


class OverwriteCellsFromBundle(OverwriteCellsRestoringAnyCell):
    """nbgrader's ``OverwriteCells`` reading source cells from the bundle, not the database
    (and restoring a deleted graded cell after any earlier source cell)."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.gradebook = MemoryGradebook(resources["pglab"]["notebook_spec"])
        nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class OverwriteKernelspecFromBundle(OverwriteKernelspec):
    """nbgrader's ``OverwriteKernelspec`` with the source kernelspec taken from the bundle."""

    def preprocess(self, nb, resources):
        kernelspec = resources["pglab"]["notebook_spec"].kernelspec
        if kernelspec:
            nb.metadata["kernelspec"] = json.loads(kernelspec)
        return nb, resources
