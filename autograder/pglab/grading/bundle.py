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
        """What grading depends on: the source cells and points, the config without the
        sections grading never reads (:func:`ungraded_sections`: the late policy, computed
        again from the gradebook at every run, and the exchange's, the formgrader's, the
        applications', the exporters' and the like), the pglab version."""
        ungraded = ungraded_sections(self.config)
        return {
            "assignment": self.assignment,
            "notebooks": {n: asdict(spec) for n, spec in sorted(self.notebooks.items())},
            "config": _plain({k: v for k, v in self.config.items() if k not in ungraded}),
            "pglab": self.pglab_version,
        }

    @property
    def digest(self) -> str:
        """sha256 of the bundle's content: a changed source, point or grading setting changes
        it; the late policy and the settings grading never reads (``c.Exchange.root``,
        ``c.CourseDirectory.db_url``, ``c.NbGrader.logfile``...: :func:`ungraded_sections`) do
        not. A config without those sections gives the digest it gave before they were left
        out."""
        return _sha256(self._content())

    @property
    def parts(self) -> dict[str, str]:
        """What :attr:`digest` covers, part by part, so that a regrade can say which changed:
        ``source`` (the source cells and points), ``config`` (the grading settings: the config
        without :func:`ungraded_sections`) and ``pglab`` (the version)."""
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


#: Config sections, by exact name, that no class grading a submission has in its MRO (checked
#: against ``grade``'s classes by tests/test_bundle.py). Each only configures something else:
UNGRADED_SECTIONS = frozenset(
    {
        # where the course's files and gradebook are (nbgrader's CourseDirectory: no grading
        # class reads it; pglab grade's own uses of it, db_url, ignore and course_id, choose
        # the gradebook, the extra files copied next to autograded notebooks and the export)
        "CourseDirectory",
        # the formgrader and the students' assignment list (server extensions) and their API
        "NbGraderAPI",
        "FormgradeExtension",
        "AssignmentList",
        # nbgrader's and Jupyter's applications (more below: any name ending in "App"): log
        # levels, log files, flags of commands that pglab grade does not run
        "Application",
        "NbGrader",
        # who may see which course (formgrader and exchange, on JupyterHub)
        "Authenticator",
        # export and zip-collect plugins (ExportApp, ZipCollectApp), and their base class,
        # whose other subclass is the late policy, left out anyway
        "BasePlugin",
        "ExportPlugin",
        "CsvExportPlugin",
        "ExtractorPlugin",
        "FileNameCollectorPlugin",
        # where pglab grade sends its work (a Dask scheduler): the workers grade with this
        # bundle, and refuse one whose digest or pglab version differs
        "Cluster",
    }
)
#: ... and by how a name begins or ends: nbgrader's exchange (``Exchange``, ``ExchangeFactory``,
#: ``ExchangeSubmit``...: release, fetch, submit, collect), applications (``AutogradeApp``,
#: ``ExportApp``, ``ZipCollectApp``, ``JupyterApp``, ``ServerApp``...; a kernel's own
#: ``IPKernelApp`` runs in the kernel's process, which never reads nbgrader_config.py) and
#: authentication plugins (``BaseAuthPlugin``, ``NoAuthPlugin``, ``JupyterHubAuthPlugin``).
UNGRADED_PREFIXES = ("Exchange",)
UNGRADED_SUFFIXES = ("App", "AuthPlugin")


def ungraded_sections(config: Config) -> set[str]:
    """The sections of ``config`` that the grading of one submission never reads: the late
    policy's (:func:`late_penalty_sections`) and those :data:`UNGRADED_SECTIONS`,
    :data:`UNGRADED_PREFIXES` and :data:`UNGRADED_SUFFIXES` name. A deny list, never an allow
    list: a section it does not name (a course's own, a new nbgrader's) stays in the digest,
    so that an unknown setting grades everyone again rather than keep a grade it may change.
    A config without such sections gives the digest it gave before they were left out."""
    never_read = {
        name
        for name in config
        if isinstance(name, str)
        and (
            name in UNGRADED_SECTIONS
            or name.startswith(UNGRADED_PREFIXES)
            or name.endswith(UNGRADED_SUFFIXES)
        )
    }
    return never_read | late_penalty_sections(config)


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
