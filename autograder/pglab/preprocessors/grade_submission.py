"""Grade a notebook inside ``nbgrader autograde`` with ``pglab.grading.grade``.

nbgrader's autograde sanitizes the submission against the gradebook, then runs its
autograde preprocessors.  With this one first in that list, the execution and the verdicts
come from the very function ``pglab grade`` runs in its worker processes; nbgrader's own
``SaveAutoGrades`` then writes the scores, so the gradebook keeps a single writer.
"""

from __future__ import annotations

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from pglab.grading.bundle import Bundle, bundle_from_gradebook
from pglab.grading.text import plain

_BUNDLES: dict[tuple[str, str, int], Bundle] = {}


def _bundle(db_url: str, assignment: str, config) -> Bundle:
    """One bundle per assignment per run (read from the gradebook once, not per student)."""
    key = (db_url, assignment, id(config))
    if key not in _BUNDLES:
        _BUNDLES[key] = bundle_from_gradebook(db_url, assignment, config)
    return _BUNDLES[key]


class GradeSubmission(NbGraderPreprocessor):
    """Execute in the sandbox and judge, through ``pglab.grading.grade``."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        from pglab.grading.grade import grade_plainly  # the grading package imports this one

        info = resources["nbgrader"]
        bundle = _bundle(info["db_url"], info["assignment"], self.config)
        data = nbformat.writes(plain(nb)).encode("utf-8")
        result = grade_plainly(bundle, info["notebook"], data)
        if result.error:
            # A plain exception: nbgrader fails this student alone and grades the others.
            raise RuntimeError(f"pglab could not grade {info['notebook']}: {result.error}")
        self.log.info(
            "graded %s in %.1f s (%s)",
            info["notebook"],
            result.timings["total"],
            ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items() if k != "total"),
        )
        resources.setdefault("pglab", {})["result"] = result
        return nbformat.reads(result.notebook, as_version=4), resources
