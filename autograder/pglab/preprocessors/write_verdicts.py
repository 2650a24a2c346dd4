"""Replace each probed grade cell's outputs with the verdict computed outside the kernel."""

from __future__ import annotations

import base64

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor

from pglab.assignments import ASSIGNMENTS
from pglab.checks.verdict import Verdict
from pglab.judge import judge_notebook_with_notes
from pglab.tamper import attribution_flags

#: The metadata key (under ``pglab``) on a grade cell whose function could not be checked on
#: any value, because the helpers it calls raised on every call (an unverified excuse,
#: ``checks/callees.py``): ``SaveAutoGradesOnce`` saves it with no automatic score, for a TA.
UNVERIFIED = "unverified_excuse"

#: Such a cell's summary in ``pglab grade``'s results.
UNVERIFIED_SUMMARY = "could not be checked on any value (a helper it calls raised): for a TA"


def for_a_ta(verdict: Verdict) -> bool:
    """A passing verdict that rests on no value of the student's function: points kept
    automatically would be bought by a helper that raises on purpose."""
    return verdict.passed and verdict.unverified and bool(verdict.excused_by)


def unverified_excuse(cell) -> dict | None:
    """This step's mark on a grade cell (``summary``), or None."""
    mark = cell.metadata.get("pglab", {}).get(UNVERIFIED)
    return mark if isinstance(mark, dict) and mark.get("summary") == UNVERIFIED_SUMMARY else None


def _unverified_mark() -> dict:
    # no comment: nbgrader keeps comments for answer cells only; the cell's output says why
    return {"summary": UNVERIFIED_SUMMARY}


def verdict_outputs(verdict: Verdict) -> list[NotebookNode]:
    """nbgrader scores a code grade cell by its outputs: an error output means no points."""
    outputs = _text_outputs(verdict)
    if verdict.figure is not None:
        picture = base64.b64encode(verdict.figure).decode("ascii")
        outputs.append(
            from_dict(
                {
                    "output_type": "display_data",
                    "data": {"image/png": picture, "text/plain": "<figure: the check above>"},
                    "metadata": {},
                }
            )
        )
    return outputs


def _text_outputs(verdict: Verdict) -> list[NotebookNode]:
    if verdict.passed:
        heading = "FOR A TA: " if for_a_ta(verdict) else "PASSED: "
        return [
            from_dict(
                {
                    "output_type": "stream",
                    "name": "stdout",
                    "text": heading + verdict.text() + "\n",
                }
            )
        ]
    details = list(verdict.details)
    if verdict.misconception:
        details.append(f"[diagnosis: {verdict.misconception}]")
    return [
        from_dict(
            {
                "output_type": "error",
                "ename": "CheckFailed",
                "evalue": verdict.summary,
                "traceback": ["CheckFailed: " + verdict.summary, *details],
            }
        )
    ]


class WriteVerdicts(NbGraderPreprocessor):
    """Grade probed cells from their records, against pglab's reference, outside the kernel.

    Runs in nbgrader's autograde pipeline after ``Execute`` and before ``SaveAutoGrades``.
    Every output of a probed grade cell (the record, anything the student's code printed,
    any error) is replaced by the verdict, so nothing the kernel wrote decides the score. A
    cell whose function could not be checked on any value is marked for a TA (``UNVERIFIED``);
    a mark already in the student's file is removed first.
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        for cell in nb.cells:  # only this step marks a cell for a TA
            cell.metadata.get("pglab", {}).pop(UNVERIFIED, None)
        assignment_id = resources.get("nbgrader", {}).get("assignment")
        assignment = ASSIGNMENTS.get(assignment_id)
        if assignment is None:
            self.log.warning(
                "pglab has no checks for assignment %r; leaving it to nbgrader", assignment_id
            )
            return nb, resources
        verdicts, notes = judge_notebook_with_notes(assignment, nb.cells)
        flags = attribution_flags(notes)
        # FlagTampering (after this step) adds these to metadata.pglab.tamper_flags
        resources.setdefault("pglab", {})["attribution_flags"] = [f.as_dict() for f in flags]
        if flags:
            student = resources.get("nbgrader", {}).get("student", "?")
            self.log.warning(
                "attribution flags for %s (scores settled as the notebook says):\n%s",
                student,
                "\n".join(f.text() for f in flags),
            )
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in verdicts:
                cell.outputs = verdict_outputs(verdicts[grade_id])
                if for_a_ta(verdicts[grade_id]):
                    mark = _unverified_mark()
                    cell.metadata.setdefault("pglab", {})[UNVERIFIED] = mark
        resources.setdefault("pglab", {})["verdicts"] = verdicts
        missing = set(assignment.probes) - set(verdicts)
        if missing:
            self.log.warning(
                "grade cells missing from the notebook: %s", ", ".join(sorted(missing))
            )
        return nb, resources
