"""Every cell's nbgrader metadata from the source, never from the student's file.

JupyterLab's cell-metadata editor lets a student change any cell's ``nbgrader`` metadata.
nbgrader's ``OverwriteCells`` restores the source, points, lock and checksum of the cells
it knows, but not the rest: a ``schema_version`` of 4 (or 1) on the student's own solution
cell made ``CheckCellMetadata`` raise ``SchemaTooNewError``, which ``nbgrader autograde``
treats as fatal for the whole class and which a ``pglab grade`` worker could not even send
back to its parent.

``RestoreCellMetadata`` runs first among the sanitize steps. For each cell whose
``grade_id`` names a source cell, it writes the whole ``nbgrader`` metadata afresh from the
source (schema version, grade id, grade/solution/locked/task flags, points, checksum, cell
type); whatever the student put there is dropped. A cell the source does not know (the
student's own cells, a made-up ``grade_id``, metadata that is not even a mapping) loses its
``nbgrader`` metadata and is graded as an ordinary student cell. Later steps (nbgrader's
``OverwriteCells`` restores the source text of locked cells, ``CheckCellMetadata``) then see
only metadata the instructor wrote. ``CheckCellMetadataPerStudent`` is nbgrader's
``CheckCellMetadata`` whose schema errors fail that one student instead of the run.
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING

import jsonschema
from nbgrader.nbgraderformat import SCHEMA_VERSION, MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import (
    BaseMetadataValidator,
    SchemaMismatchError,
    SchemaTooNewError,
    SchemaTooOldError,
)
from nbgrader.preprocessors import CheckCellMetadata, NbGraderPreprocessor

if TYPE_CHECKING:
    from pglab.grading.bundle import NotebookSpec


class BadCellMetadata(ValueError):
    """The notebook's nbgrader metadata cannot be graded (for this student alone)."""


def source_metadata(spec: NotebookSpec, name: str) -> dict | None:
    """The nbgrader metadata the source gives cell ``name`` (None: the source has no such cell)."""
    source = next((c for c in spec.source_cells if c.name == name), None)
    if source is None:
        return None
    grade = name in spec.grade_cells
    task = name in spec.task_cells
    meta = {
        "schema_version": SCHEMA_VERSION,
        "grade_id": name,
        "grade": grade,
        "solution": name in spec.solution_cells,
        "locked": bool(source.locked),
        "task": task,
        "cell_type": source.cell_type,
    }
    if grade or task:
        meta["points"] = spec.grade_cells[name] if grade else spec.task_cells[name]
    if source.checksum is not None:
        meta["checksum"] = source.checksum
    return meta


def _notebook_spec(resources: dict, config) -> NotebookSpec:
    spec = resources.get("pglab", {}).get("notebook_spec")
    if spec is not None:
        return spec
    # Under `nbgrader autograde`: the source as the gradebook has it, read once per run.
    from pglab.preprocessors.grade_submission import _bundle

    info = resources["nbgrader"]
    bundle = _bundle(info["db_url"], info["assignment"], config)
    spec = bundle.notebooks.get(info["notebook"])
    if spec is None:
        raise BadCellMetadata(f"the gradebook has no notebook {info['notebook']!r}")
    return spec


class RestoreCellMetadata(NbGraderPreprocessor):
    """Write each known cell's nbgrader metadata from the source; drop the student's own."""

    def preprocess(self, nb, resources):
        spec = _notebook_spec(resources, self.config)
        for index, cell in enumerate(nb.cells):
            if "nbgrader" not in cell.metadata:
                continue
            given = cell.metadata["nbgrader"]
            name = given.get("grade_id") if isinstance(given, dict) else None
            meta = source_metadata(spec, name) if isinstance(name, str) else None
            if meta is None:
                del cell.metadata["nbgrader"]
                self.log.warning(
                    "cell %d: nbgrader metadata the source does not have, dropped", index
                )
                continue
            if given != meta:
                changed = sorted(k for k in set(given) | set(meta) if given.get(k) != meta.get(k))
                self.log.warning("cell %s: metadata restored from the source (%s)", name, changed)
            cell.metadata["nbgrader"] = meta
            cell.metadata["deletable"] = False
            if meta["locked"]:
                cell.metadata["editable"] = False
            else:
                cell.metadata.pop("editable", None)
        return nb, resources


class _SchemaCheckedOnce(BaseMetadataValidator):
    """nbgrader's per-cell check against its metadata schema, with the schema itself
    checked once per process: ``jsonschema.validate`` checks the schema again on every call,
    which cost nbgrader about 0.1 s per notebook (a hundred cells, three checks)."""

    _validators: dict[int, object] = {}

    def validate_cell(self, cell) -> None:
        if "nbgrader" not in cell.metadata:
            return
        schema = cell.metadata["nbgrader"].get("schema_version", 0)
        if schema < self.schema_version:
            raise SchemaTooOldError(
                f"Outdated schema version: {schema} (expected {self.schema_version})",
                schema,
                self.schema_version,
            )
        if schema > self.schema_version:
            raise SchemaTooNewError(
                f"Schema version is too new: {schema} (expected {self.schema_version})",
                schema,
                self.schema_version,
            )
        validator = self._validators.get(self.schema_version)
        if validator is None:
            kind = jsonschema.validators.validator_for(self.schema)
            kind.check_schema(self.schema)
            validator = self._validators[self.schema_version] = kind(self.schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(cell.metadata["nbgrader"]))
        if error is not None:  # what jsonschema.validate raises
            raise error


class _MetadataValidator(MetadataValidator, _SchemaCheckedOnce):
    """nbgrader's current ``MetadataValidator`` (its own checks of grade ids, points and cell
    types) on ``_SchemaCheckedOnce``."""


class CheckCellMetadataPerStudent(CheckCellMetadata):
    """nbgrader's ``CheckCellMetadata``; a schema version it does not expect fails this
    student with a plain message (nbgrader stops the whole run on ``SchemaTooNewError``)."""

    def preprocess(self, nb, resources):
        try:
            _MetadataValidator().validate_nb(nb)
        except SchemaMismatchError as error:
            raise BadCellMetadata(f"the notebook's nbgrader metadata is invalid: {error}") from None
        except ValidationError:  # as nbgrader's CheckCellMetadata
            self.log.error(traceback.format_exc())
            message = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(message)
            raise ValidationError(message) from None
        return nb, resources
