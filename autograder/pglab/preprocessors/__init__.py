"""nbgrader preprocessors that plug pglab's grading into nbgrader's own pipeline."""

from pglab.preprocessors.grade_submission import GradeSubmission  # noqa: I001 - imports the two above
from pglab.preprocessors.flag_tampering import FlagTampering
from pglab.preprocessors.sandboxed_execute import SandboxedExecute
from pglab.preprocessors.write_verdicts import WriteVerdicts

__all__ = ["FlagTampering", "GradeSubmission", "SandboxedExecute", "WriteVerdicts"]
