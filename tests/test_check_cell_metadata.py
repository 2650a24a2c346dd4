"""``CheckCellMetadataPerStudent`` decides as nbgrader's ``CheckCellMetadata`` does (its schema
is only checked once per process): the same notebooks pass, the same ones fail, with the
same messages."""

from __future__ import annotations

import copy

import jsonschema
import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import SchemaMismatchError
from support import REPOSITORY

from pglab.preprocessors import CheckCellMetadataPerStudent
from pglab.preprocessors.restore_cell_metadata import BadCellMetadata, _MetadataValidator

SOURCE = REPOSITORY / "source" / "reinforce" / "reinforce.ipynb"


def _edited(edit) -> nbformat.NotebookNode:
    notebook = nbformat.read(SOURCE, as_version=4)
    graded = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade"))
    edit(graded.metadata.nbgrader)
    return notebook


EDITS = {
    "points as text": lambda meta: meta.update(points="ten"),
    "grade as a number": lambda meta: meta.update(grade=3),
    "no grade_id": lambda meta: meta.pop("grade_id"),
    "unknown cell type": lambda meta: meta.update(cell_type="spreadsheet"),
}


def _outcome(validator, notebook) -> str:
    try:
        validator.validate_nb(copy.deepcopy(notebook))
    except (ValidationError, jsonschema.ValidationError, SchemaMismatchError) as error:
        return f"{type(error).__name__}: {error}"
    return "valid"


def test_the_instructors_notebook_is_valid_for_both():
    notebook = nbformat.read(SOURCE, as_version=4)
    assert _outcome(MetadataValidator(), notebook) == "valid"
    assert _outcome(_MetadataValidator(), notebook) == "valid"
    assert CheckCellMetadataPerStudent().preprocess(notebook, {})[0] is notebook


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_edited_metadata_fails_exactly_as_in_nbgrader(edit):
    notebook = _edited(edit)
    ours, theirs = _outcome(_MetadataValidator(), notebook), _outcome(MetadataValidator(), notebook)
    assert ours == theirs != "valid"
    with pytest.raises(ValidationError, match="the nbgrader metadata may be corrupted"):
        CheckCellMetadataPerStudent().preprocess(notebook, {})


@pytest.mark.parametrize("version", [1, 4])
def test_another_schema_version_fails_the_student_not_the_run(version):
    notebook = _edited(lambda meta: meta.update(schema_version=version))
    ours, theirs = _outcome(_MetadataValidator(), notebook), _outcome(MetadataValidator(), notebook)
    assert ours == theirs != "valid"  # _SchemaCheckedOnce repeats nbgrader's version check
    with pytest.raises(BadCellMetadata, match="the notebook's nbgrader metadata is invalid"):
        CheckCellMetadataPerStudent().preprocess(notebook, {})
