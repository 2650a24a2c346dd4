"""nbgrader configuration for the pglab course: this folder is the course directory.

Plain ``nbgrader`` commands run here use pglab's grading: hidden test cells only record
what the student's functions return, and ``WriteVerdicts`` decides every score outside
the student's kernel, before nbgrader saves the grades.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    Execute,
    GetGrades,
    IgnorePattern,
    IncludeHeaderFooter,
    LimitOutput,
    LockCells,
    SaveAutoGrades,
)

from pglab.preprocessors import WriteVerdicts

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "pglab"
c.CourseDirectory.solution_directory = "solutions"

# Verdicts come from pglab's reference, computed outside the kernel, before grades are saved.
c.Autograde.autograde_preprocessors = [
    Execute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    WriteVerdicts,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# A student who deletes a graded cell gets it back from source (and scored) rather than
# silently losing those points or breaking the run.
c.OverwriteCells.add_missing_cells = True

# The hidden Monte Carlo checks draw a million samples; leave room on a slow machine.
c.Execute.timeout = 120

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
