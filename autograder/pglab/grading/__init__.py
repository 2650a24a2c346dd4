"""Grading one submission as one pure function: ``grade(bundle, notebook, bytes) -> result``.

plain ``nbgrader autograde`` (through ``GradeSubmission``), ``pglab grade``'s local pool and,
later, cluster workers all call :func:`grade`; only the caller ever writes the gradebook.
"""

from pglab.grading.bundle import Bundle, bundle_from_gradebook
from pglab.grading.grade import CellResult, GradeResult, grade

__all__ = ["Bundle", "CellResult", "GradeResult", "bundle_from_gradebook", "grade"]
