"""Record tamper evidence in the autograded notebook, for the TA; scores are untouched.

Runs in the autograde pipeline. It scans the student's own cells with ``pglab.tamper``,
stores the flags in the notebook's metadata (``metadata.pglab.tamper_flags``: cell, line,
rule, message and the quoted line) and logs one warning per flagged submission, so they
show in ``nbgrader autograde``'s output. ``pglab scan`` prints the same flags for a class.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from pglab.tamper import Flag, scan_notebook


class FlagTampering(NbGraderPreprocessor):
    """Store static-scan flags in ``metadata.pglab.tamper_flags``; never change a grade."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        flags = scan_notebook(nb)
        # WriteVerdicts' flags about what the functions returned (pglab.checks.attribution)
        flags += [Flag(**f) for f in resources.get("pglab", {}).get("attribution_flags", [])]
        nb.metadata.setdefault("pglab", {})["tamper_flags"] = [f.as_dict() for f in flags]
        if flags:
            student = resources.get("nbgrader", {}).get("student", "?")
            self.log.warning(
                "tamper evidence for %s (%d flag%s; scores unchanged):\n%s",
                student,
                len(flags),
                "s" * (len(flags) != 1),
                "\n".join(f.text() for f in flags),
            )
        return nb, resources
