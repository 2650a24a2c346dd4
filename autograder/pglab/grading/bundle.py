"""The grading bundle: everything grading needs from the course, and nothing else.

It holds, for each notebook of one assignment, the source cells exactly as nbgrader stored
them in the gradebook at ``generate_assignment`` (hidden tests included), the points of
each graded cell, the notebook's kernelspec, and the course's traitlets config. A worker
that has the bundle never needs the course directory or the gradebook.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from traitlets.config import Config

import pglab


@dataclass(frozen=True)
class SourceCell:
    name: str
    cell_type: str
    locked: bool
    checksum: str | None
    source: str


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    kernelspec: str | None
    source_cells: tuple[SourceCell, ...]
    #: grade cell name -> max score (code tests and manually graded answers)
    grade_cells: dict[str, float]
    solution_cells: tuple[str, ...]
    #: task cell name -> max score
    task_cells: dict[str, float]


@dataclass(frozen=True)
class Bundle:
    assignment: str
    notebooks: dict[str, NotebookSpec]
    config: Config
    pglab_version: str = pglab.__version__

    def _content(self) -> dict:
        """What grading depends on: the source cells and points, the config without its
        late-penalty sections (:func:`late_penalty_sections`: grading never reads them, and
        the penalty is computed again from the gradebook at every run), the pglab version."""
        late = late_penalty_sections(self.config)
        return {
            "assignment": self.assignment,
            "notebooks": {n: asdict(spec) for n, spec in sorted(self.notebooks.items())},
            "config": _plain({k: v for k, v in self.config.items() if k not in late}),
            "pglab": self.pglab_version,
        }

    @property
    def digest(self) -> str:
        """sha256 of the bundle's content: a changed source, point or grading setting changes
        it; the late policy does not."""
        return _sha256(self._content())

    @property
    def parts(self) -> dict[str, str]:
        """What :attr:`digest` covers, part by part, so that a regrade can say which changed:
        ``source`` (the source cells and points), ``config`` (the grading settings) and
        ``pglab`` (the version)."""
        content = self._content()
        source = {k: content[k] for k in ("assignment", "notebooks")}
        return {
            "source": _sha256(source)[:16],
            "config": _sha256(content["config"])[:16],
            "pglab": content["pglab"],
        }


def _sha256(value) -> str:
    text = json.dumps(value, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def late_penalty_sections(config: Config) -> set[str]:
    """The config sections only the late-penalty step reads: ``AssignLatePenalties``,
    nbgrader's ``LateSubmissionPlugin``, and the configured plugin class's own (the plugin
    ``late_policy.TenPercentPerDay`` is configured as ``c.TenPercentPerDay``), by name,
    without importing the course's module."""
    sections = {"AssignLatePenalties", "LateSubmissionPlugin"}
    plugin = dict.get(config, "AssignLatePenalties", {}).get("plugin_class")
    if isinstance(plugin, str):
        sections.add(plugin.rsplit(".", 1)[-1])
    elif isinstance(plugin, type):
        from nbgrader.plugins import LateSubmissionPlugin

        sections.update(c.__name__ for c in plugin.__mro__ if issubclass(c, LateSubmissionPlugin))
    return sections


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    return value


def bundle_from_gradebook(db_url: str, assignment: str, config: Config) -> Bundle:
    """Read one assignment's source notebooks out of an nbgrader gradebook."""
    from nbgrader.api import Gradebook

    notebooks = {}
    with Gradebook(db_url) as gradebook:
        for notebook in gradebook.find_assignment(assignment).notebooks:
            notebooks[notebook.name] = NotebookSpec(
                name=notebook.name,
                kernelspec=notebook.kernelspec,
                source_cells=tuple(
                    SourceCell(c.name, c.cell_type, bool(c.locked), c.checksum, c.source)
                    for c in notebook.source_cells
                ),
                grade_cells={c.name: float(c.max_score) for c in notebook.grade_cells},
                solution_cells=tuple(c.name for c in notebook.solution_cells),
                task_cells={c.name: float(c.max_score) for c in notebook.task_cells},
            )
    return Bundle(assignment, notebooks, Config(config))
