"""nbgrader preprocessors that plug pglab's grading into nbgrader's own pipeline."""

from pglab.preprocessors.flag_answers_in_added_cells import FlagAnswersInAddedCells
from pglab.preprocessors.flag_tampering import FlagTampering
from pglab.preprocessors.forget_duplicate_cells import ForgetDuplicateCells
from pglab.preprocessors.grade_submission import GradeSubmission  # noqa: I001 - uses the above
from pglab.preprocessors.restore_cell_metadata import (
    CheckCellMetadataPerStudent,
    RestoreCellMetadata,
)
from pglab.preprocessors.restore_cell_order import RestoreCellOrder
from pglab.preprocessors.restore_deleted_cells import OverwriteCellsRestoringAnyCell
from pglab.preprocessors.sandboxed_execute import SandboxedExecute
from pglab.preprocessors.save_auto_grades_once import SaveAutoGradesOnce
from pglab.preprocessors.write_verdicts import WriteVerdicts

__all__ = [
    "CheckCellMetadataPerStudent",
    "FlagAnswersInAddedCells",
    "FlagTampering",
    "ForgetDuplicateCells",
    "GradeSubmission",
    "OverwriteCellsRestoringAnyCell",
    "RestoreCellMetadata",
    "RestoreCellOrder",
    "SandboxedExecute",
    "SaveAutoGradesOnce",
    "WriteVerdicts",
]
