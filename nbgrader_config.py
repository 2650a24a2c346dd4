"""nbgrader configuration for the pglab course: this folder is the course directory.

Plain ``nbgrader`` commands run here use pglab's grading: hidden test cells only record
what the student's functions return, and ``WriteVerdicts`` decides every score outside
the student's kernel, before nbgrader saves the grades.
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    DeduplicateIds,
    Execute,
    GetGrades,
    IncludeHeaderFooter,
    LockCells,
    OverwriteKernelspec,
)

from pglab.preprocessors import (
    CheckCellMetadataPerStudent,
    ForgetDuplicateCells,
    GradeSubmission,
    OverwriteCellsRestoringAnyCell,
    RestoreCellMetadata,
    SaveAutoGradesOnce,
)

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "pglab"
c.CourseDirectory.solution_directory = "solutions"

# nbgrader's sanitize steps, plus RestoreCellMetadata: every cell's nbgrader metadata comes
# from the source, not from the student's file (a student's schema_version of 4 made nbgrader
# stop the whole class), plus ForgetDuplicateCells: without it a duplicated grade cell makes
# OverwriteCells fail with KeyError 'grade_id' and the submission is not graded.
# CheckCellMetadataPerStudent fails one student, not the run, on a schema error.
# OverwriteCellsRestoringAnyCell is nbgrader's OverwriteCells, except that a deleted graded
# cell that follows a read-only lesson cell (a written answer) no longer stops its notebook.
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    RestoreCellMetadata,
    DeduplicateIds,
    ForgetDuplicateCells,
    OverwriteKernelspec,
    OverwriteCellsRestoringAnyCell,
    CheckCellMetadataPerStudent,
]

# GradeSubmission grades with pglab.grading.grade, the function `pglab grade` runs too:
# student code in pglab's bubblewrap sandbox (docs/sandbox.md: SandboxedExecute), then
# nbgrader's IgnorePattern, ClearMetadataPreprocessor and LimitOutput, then WriteVerdicts,
# whose verdicts come from pglab's reference outside the kernel, then FlagTampering, which
# stores static-scan flags (pglab.tamper) in the notebook's metadata for TAs and never
# changes a score (`pglab scan` lists them for a class), then FlagAnswersInAddedCells, which marks
# a written answer cell left as given when the student typed text in cells added next to it
# (or Markdown cells of their own elsewhere in the notebook).
# nbgrader's SaveAutoGrades then saves the grades, committing once per notebook rather than once
# per cell, and such a marked cell for manual grading instead of 0 (SaveAutoGradesOnce).
c.Autograde.autograde_preprocessors = [
    GradeSubmission,
    SaveAutoGradesOnce,
    AssignLatePenalties,
    CheckCellMetadataPerStudent,
]

# A student who deletes a graded cell gets it back from source (and scored) rather than
# silently losing those points or breaking the run.
c.OverwriteCells.add_missing_cells = True

# The hidden Monte Carlo checks draw a million samples; leave room on a slow machine.
c.Execute.timeout = 120

# No wall-clock timestamps in executed notebooks: regrading (locally or on a cluster) gives
# byte-identical autograded notebooks.
c.Execute.record_timing = False

# The sandbox's limits (defaults shown; every setting is documented in pglab/sandbox/settings.py).
# Without bubblewrap, autograde refuses to run. `c.Sandbox.enabled = False` runs student code
# UNSANDBOXED, as you, able to read source/ and rewrite the gradebook: never for a real class.
c.Sandbox.enabled = True
c.Sandbox.memory_limit = 2 * 1024**3  # bytes of address space per process
c.Sandbox.process_limit = 64  # processes and threads per sandbox
c.SandboxedExecute.cell_output_limit = 32 * 1024**2  # bytes of output per cell

# Published solutions and student feedback never show hidden test code or seeds.
c.GenerateSolution.preprocessors = [
    IncludeHeaderFooter,
    LockCells,
    ClearOutput,
    ClearMarkScheme,
    ClearHiddenTests,
    Execute,
]
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
