"""nbgrader preprocessors that plug pglab's grading into nbgrader's own pipeline."""

from pglab.preprocessors.write_verdicts import WriteVerdicts

__all__ = ["WriteVerdicts"]
