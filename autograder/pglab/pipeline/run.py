"""Grade a class: discover, grade on a backend, and write everything from one process.

The backend (a local process pool, or a Dask cluster: ``pglab.pipeline.executors``) only
calls ``pglab.grading.grade`` (bundle and bytes in, result out). This process
alone writes the gradebook, the submitted and autograded notebooks, the per-student state
that makes runs resumable, feedback, CSVs and the report. Each result is written as soon
as it arrives, so an interrupted run loses nothing already graded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
from nbgrader.utils import find_all_files, parse_utc
from sqlalchemy.exc import SAWarning
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader
from traitlets.utils.importstring import import_item

from pglab.course import write_json_atomically
from pglab.grading import Bundle, CellResult, GradeResult, bundle_from_gradebook
from pglab.grading.grade import describe
from pglab.grading.text import plain_text
from pglab.pipeline.cluster import Cluster, DaskBackend
from pglab.pipeline.discover import Discovery, Found, discover
from pglab.pipeline.executors import Backend, LocalBackend
from pglab.pipeline.exports import LatePolicyError, penalty_changes
from pglab.pipeline.progress import progress as progress_display
from pglab.preprocessors import SaveAutoGradesOnce
from pglab.sandbox import Sandbox, require

#: What runs after grading when the course configures no SaveAutoGrades step of its own.
DEFAULT_SAVING_STEPS = (SaveAutoGradesOnce, AssignLatePenalties)


@dataclass
class Outcome:
    """One student's result in this run (``status``: graded, unchanged or failed)."""

    student: str
    origin: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    cells: list[dict] = field(default_factory=list)
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    submission_sha256: str = ""
    bundle_digest: str = ""
    #: ``Bundle.parts`` of that bundle: which part changed, when one did
    bundle_parts: dict[str, str] = field(default_factory=dict)
    #: tamper-evidence flags from the static scan (never change the score)
    flags: list[dict] = field(default_factory=list)
    #: when it was handed in (its timestamp.txt, in UTC), "" where the input does not say
    submitted: str = ""
    #: what else the input says about that (Canvas's LATE mark, a zip without times)
    time_note: str = ""
    #: the student whose byte-identical file was graded for this one in the same run ("" if
    #: this file was graded itself): grading is a function of the bundle and the bytes
    identical_to: str = ""
    #: where the different file this one replaced in ``submitted/`` was kept ("" if none)
    replaced: str = ""
    #: read from the course's own ``submitted/`` (not a folder or zip given to the command)
    in_submitted: bool = False
    #: in a failed outcome, the student's last successful grading (that :class:`Outcome`, as
    #: a dict; {} if none): a file that could not be graded for a while (a conflict of two
    #: uploads, a timestamp that is not a date) loses nothing a later grading of the same
    #: file needs, such as the written answers a TA graded (``ClassWriter.last_graded``)
    graded_before: dict = field(default_factory=dict)
    #: grade cell -> [its points at the student's grading before this one, its points now],
    #: for each cell whose points changed in between (a TA's grade on it is for other points)
    points_changed: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class Run:
    course: Path
    assignment: str
    outcomes: list[Outcome]
    skipped: dict[str, str]
    wall_seconds: float
    jobs: int
    #: where grading ran ("" for this machine)
    where: str = ""
    #: the assignment's due date in the gradebook (UTC), "" if none
    duedate: str = ""
    #: student -> their extension of the due date in the gradebook, in seconds (nbgrader's
    #: ``Submission.extension``, which its late-penalty step counts), for those who have one
    extensions: dict[str, float] = field(default_factory=dict)


def load_config(course: Path) -> Config:
    """The course's nbgrader_config.py, as nbgrader itself would read it: with the course
    directory on sys.path, as nbgrader puts its working directory there, so that modules next
    to the config (a course's own LateSubmissionPlugin) import the same way."""
    if str(course) not in sys.path:
        sys.path.insert(0, str(course))
    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def db_url(course: Path, config: Config) -> str:
    configured = config.get("CourseDirectory", {}).get("db_url")
    return configured or f"sqlite:///{course / 'gradebook.db'}"


def submissions_in_gradebook(course: Path, assignment: str, students):
    """(student, their submission of ``assignment`` in the course's gradebook, or None), for
    each of ``students``, read within one open gradebook."""
    with Gradebook(db_url(course, load_config(course))) as gradebook:
        for student in students:
            try:
                yield student, gradebook.find_submission(assignment, student)
            except MissingEntry:
                yield student, None


def saving_steps(config: Config) -> list[type]:
    """The preprocessors ``nbgrader autograde`` runs after grading, from the course's own
    ``c.Autograde.autograde_preprocessors``: everything from its first ``SaveAutoGrades``
    (pglab's ``SaveAutoGradesOnce`` is one) to the end, so ``AssignLatePenalties`` with the
    course's ``c.AssignLatePenalties.plugin_class`` and ``c.LateSubmissionPlugin`` settings.
    ``pglab grade`` runs exactly these, configured exactly as nbgrader configures them."""
    configured = config.get("Autograde", {}).get("autograde_preprocessors")
    if not configured:
        return list(DEFAULT_SAVING_STEPS)
    steps = [import_item(s) if isinstance(s, str) else s for s in configured]
    for index, step in enumerate(steps):
        if isinstance(step, type) and issubclass(step, SaveAutoGrades):
            return steps[index:]
    return list(DEFAULT_SAVING_STEPS)


def check_late_policy(config: Config) -> None:
    """Raise :class:`LatePolicyError` in a sentence, before any work, when the configured
    late-penalty plugin (``c.AssignLatePenalties.plugin_class``) cannot be imported."""
    from traitlets import TraitError

    for step in saving_steps(config):
        if isinstance(step, type) and issubclass(step, AssignLatePenalties):
            try:
                step(config=config).plugin_class  # noqa: B018 - importing it is the check
            except TraitError:
                name = dict.get(config, "AssignLatePenalties", {}).get("plugin_class")
                raise LatePolicyError(
                    f"c.AssignLatePenalties.plugin_class = {name!r} in nbgrader_config.py "
                    "cannot be imported: check the module's and the class's names (a module "
                    "of the course sits next to nbgrader_config.py)"
                ) from None


def run_saving_steps(notebook, resources: dict, config: Config):
    """Save a graded notebook's scores and late penalty as ``nbgrader autograde`` does."""
    with _quiet_nbgrader_session():
        for step in saving_steps(config):
            notebook, resources = step(config=config)(notebook, resources)
    return notebook, resources


def ensure_assignment(course: Path, assignment: str, url: str) -> bool:
    """Put ``assignment`` into the gradebook from ``source/`` when it is not there (a fresh
    clone, or a new gradebook), as ``nbgrader generate_assignment`` does, without touching
    ``release/``. Returns True if it had to; raises FileNotFoundError with what to do when
    there is no source to create it from."""
    with Gradebook(url) as gradebook:
        try:
            if gradebook.find_assignment(assignment).notebooks:
                return False
        except MissingEntry:
            pass
    if not (course / "source" / assignment).is_dir():
        raise FileNotFoundError(
            f"{assignment} is not in the gradebook and there is no source/{assignment}/ to "
            f"create it from: check the name, or run `pglab release {assignment}` first"
        )
    from tempfile import TemporaryDirectory

    from pglab.course import run_nbgrader

    with TemporaryDirectory(prefix="pglab-release-") as scratch:
        run_nbgrader(
            course,
            "generate_assignment",
            assignment,
            "--force",
            f"--CourseDirectory.release_directory={scratch}",
        )
    return True


def apply_late_penalties(
    url: str, assignment: str, students: list[str], config: Config
) -> list[tuple[str, float, float]]:
    """Compute the late penalty of ``students``' submissions again from what the gradebook
    holds now, with the course's own late-penalty step (``saving_steps``: nbgrader's
    ``AssignLatePenalties`` and the configured plugin), for every notebook. nbgrader computes
    it once, at autograde, from the autograded score: run again after TA grading, it covers
    the manual points too, and a changed due date, extension or late policy reaches every
    saved penalty without grading anyone again. Nothing happens when the assignment has no
    due date. Returns (student, penalty before, penalty now) for each penalty it changed."""
    steps = [s for s in saving_steps(config) if issubclass(s, AssignLatePenalties)]
    with Gradebook(url) as gradebook:
        record = gradebook.find_assignment(assignment)
        if record.duedate is None or not steps:
            return []
        notebooks = [n.name for n in record.notebooks]
        before = _late_penalties(gradebook, assignment)
    submitted = set(before)
    for student in students:
        if student not in submitted:
            continue
        for notebook in notebooks:
            resources = {
                "nbgrader": {
                    "notebook": notebook,
                    "assignment": assignment,
                    "student": student,
                    "db_url": url,
                }
            }
            with _quiet_nbgrader_session():
                for step in steps:
                    step(config=config)(nbformat.v4.new_notebook(), resources)
    with Gradebook(url) as gradebook:
        now = _late_penalties(gradebook, assignment)
    return [
        (student, before[student], now[student])
        for student in students
        if student in submitted and abs(now.get(student, 0.0) - before[student]) > 1e-9
    ]


def _late_penalties(gradebook: Gradebook, assignment: str) -> dict[str, float]:
    """student -> the late penalty the gradebook holds for their submission of ``assignment``."""
    return {
        s.student_id: float(s.late_submission_penalty or 0.0)
        for s in gradebook.assignment_submissions(assignment)
    }


def recorded_scores(url: str, assignment: str) -> dict[str, dict[str, float | None]]:
    """student -> grade cell -> the autograded score the gradebook holds for it."""
    recorded: dict[str, dict[str, float | None]] = {}
    with Gradebook(url) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            cells = recorded.setdefault(submission.student_id, {})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    cells[grade.name] = grade.auto_score
    return recorded


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextmanager
def _quiet_nbgrader_session():
    """nbgrader's ``update_or_create_submission`` makes SQLAlchemy warn "Object of type
    <SubmittedAssignment> not in session" on every new student (harmless: nbgrader adds the
    object right after). One such warning per student would bury the progress bar."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not in session.*", category=SAWarning)
        yield


class ClassWriter:
    """Everything that touches the course directory; used only by the parent process."""

    def __init__(
        self,
        course: Path,
        assignment: str,
        notebook: str,
        url: str,
        bundle: Bundle,
        ignore: list[str] | None = None,
        config: Config | None = None,
        recorded: dict[str, dict[str, float | None]] | None = None,
    ):
        self.course, self.assignment, self.notebook = course, assignment, notebook
        self.url, self.bundle = url, bundle
        self.config = config if config is not None else Config()
        #: the gradebook's autograded scores (``recorded_scores``): None skips the check
        self.recorded = recorded
        self.state_dir = state_directory(course, assignment)
        #: nbgrader's CourseDirectory.ignore: files never copied between course trees
        self.ignore = list(ignore if ignore is not None else CourseDirectory().ignore)

    def copy_other_files(self, student: str) -> None:
        """What ``nbgrader autograde`` copies besides notebooks: the submission's other files
        (``timestamp.txt``, and ``submission_secret.txt``, without which nbgrader's
        ``release_feedback`` fails), then the source folder's, which win."""
        destination = self._path("autograded", student).parent
        for folder in (
            self._path("submitted", student).parent,
            self.course / "source" / self.assignment,
        ):
            if not folder.is_dir():
                continue
            for name in find_all_files(str(folder), self.ignore + ["*.ipynb"]):
                if not _regular_file(Path(name)):
                    continue  # a link, a FIFO, a device: not the student's file to copy
                target = destination / Path(name).relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists() or target.is_symlink():
                    target.unlink()
                shutil.copy(name, target)

    def _path(self, tree: str, student: str) -> Path:
        return self.course / tree / student / self.assignment / f"{self.notebook}.ipynb"

    def previous(self, student: str) -> Outcome | None:
        path = self.state_dir / f"{student}.json"
        return _read_outcome(path) if path.is_file() else None

    def last_graded(self, student: str) -> Outcome | None:
        """The student's last successful grading: their stored outcome, or, when their latest
        file could not be graded, the grading it keeps from before (``graded_before``)."""
        before = self.previous(student)
        if before is not None and before.status == "failed":
            before = _outcome_from(before.graded_before) if before.graded_before else None
        if before is not None and before.status in ("graded", "unchanged"):
            return before
        return None

    def graded_points(self, student: str) -> dict[str, float]:
        """grade cell -> its points at the student's last successful grading ({} if none)."""
        last = self.last_graded(student)
        return {c["grade_id"]: c["max_score"] for c in last.cells} if last else {}

    def is_unchanged(self, found: Found, sha: str) -> Outcome | None:
        """The stored outcome, if this exact file was already graded with this exact bundle."""
        before = self.previous(found.student)
        if (
            before is not None
            and before.status in ("graded", "unchanged")
            and before.submission_sha256 == sha
            and before.bundle_digest == self.bundle.digest
            and self._path("autograded", found.student).is_file()
            and self.in_gradebook(before)
        ):
            before.status = "unchanged"
            return before
        return None

    def in_gradebook(self, before: Outcome) -> bool:
        """Whether the gradebook holds the scores this state file says were saved: after an
        older gradebook.db is restored it may not, and the student is graded again."""
        if self.recorded is None:
            return True
        held = self.recorded.get(before.student)
        if held is None:
            return False
        for cell in before.cells:
            if cell.get("score") is None:  # written answers: graded by hand, not here
                continue
            saved = held.get(cell["grade_id"])
            if saved is None or abs(saved - cell["score"]) > 1e-9:
                return False
        return True

    def forget_withdrawn(self) -> list[str]:
        """Remove the state of each student whose file from ``submitted/`` could not be graded
        and who has nothing in ``submitted/<student>/<assignment>/`` any more (the instructor
        removed it): the exports stop listing them as "could not be graded". Returns them."""
        forgotten = []
        for path in sorted(self.state_dir.glob("*.json")):
            before = self.previous(path.stem)
            if (
                before is not None
                and before.status == "failed"
                and before.in_submitted
                and not (self.course / "submitted" / before.student / self.assignment).exists()
            ):
                if before.graded_before:  # what the gradebook still holds, as before the failure
                    write_json_atomically(path, before.graded_before)
                else:
                    path.unlink()
                forgotten.append(before.student)
        return forgotten

    def save_state(self, outcome: Outcome) -> None:
        """Store ``outcome`` as the student's latest: a graded one with the cells whose points
        changed since their grading before (``Outcome.points_changed``), a failed one with
        their last successful grading in it (``Outcome.graded_before``)."""
        if outcome.status == "failed":
            last = self.last_graded(outcome.student)
            outcome.graded_before = asdict(last) if last is not None else {}
        elif outcome.status == "graded":
            before = self.graded_points(outcome.student)
            outcome.points_changed = {
                c["grade_id"]: [before[c["grade_id"]], c["max_score"]]
                for c in outcome.cells
                if c["grade_id"] in before and abs(before[c["grade_id"]] - c["max_score"]) > 1e-9
            }
        write_json_atomically(self.state_dir / f"{outcome.student}.json", asdict(outcome))

    def reapply_late_penalties(self, students: list[str]) -> list[tuple[str, float, float]]:
        """Run the late-penalty step again for students not graded in this run, so that a
        changed due date, extension (``nbgrader db``, formgrader), late policy
        (``nbgrader_config.py``) or TA points reach their saved penalty. Returns the penalties
        it changed."""
        return apply_late_penalties(self.url, self.assignment, students, self.config)

    def keep_replaced(self, student: str) -> Path:
        """Move the student's ``submitted/`` notebook and ``timestamp.txt`` aside to
        ``.pglab/replaced/<assignment>/<student>/<UTC time>/``: a file graded from another
        folder or a zip replaces them, and nothing a student handed in is ever lost."""
        submitted = self._path("submitted", student)
        stamp = time.strftime("%Y-%m-%dT%H-%M-%SZ", time.gmtime())
        keep = self.course / ".pglab" / "replaced" / self.assignment / student / stamp
        suffix = 1
        while keep.exists():
            suffix += 1
            keep = keep.with_name(f"{stamp}-{suffix}")
        keep.mkdir(parents=True)
        for path in (submitted, submitted.parent / "timestamp.txt"):
            if os.path.lexists(path):
                shutil.move(path, keep / path.name)  # a link is moved as the link
        return keep

    def write_graded(self, found: Found, result: GradeResult) -> str:
        """Write ``found``'s graded result; returns where a different file it replaced in
        ``submitted/`` was kept ("" if none)."""
        submitted = self._path("submitted", found.student)
        submitted.parent.mkdir(parents=True, exist_ok=True)
        replaced = ""
        stamp = submitted.parent / "timestamp.txt"
        if os.path.lexists(submitted) and (
            not _regular_file(submitted) or submitted.read_bytes() != found.data
        ):  # a link or a FIFO there is moved aside as it is, never written through
            replaced = str(self.keep_replaced(found.student).relative_to(self.course))
        if not submitted.is_file():
            submitted.write_bytes(found.data)
        timestamp = found.timestamp
        if timestamp:
            if stamp.is_symlink():
                stamp.unlink()
            stamp.write_text(timestamp)
        graded = nbformat.reads(result.notebook, as_version=4)
        before = self.last_graded(found.student)
        resources = {
            "nbgrader": {
                "notebook": self.notebook,
                "assignment": self.assignment,
                "student": found.student,
                "db_url": self.url,
            },
            # the file graded last time (a failure since then aside), so written answers a TA
            # graded are the ones they read, unless their points changed since (graded_points)
            "pglab": {
                "answers_as_graded": before is not None
                and before.submission_sha256 == _sha256(found.data),
                "graded_points": self.graded_points(found.student),
            },
        }
        with Gradebook(self.url) as gradebook, _quiet_nbgrader_session():
            gradebook.update_or_create_student(found.student)
            if timestamp:
                gradebook.update_or_create_submission(
                    self.assignment, found.student, timestamp=timestamp
                )
            elif replaced:  # the time of the file it replaced is not this file's
                gradebook.update_or_create_submission(
                    self.assignment, found.student, timestamp=None
                )
            else:
                gradebook.update_or_create_submission(self.assignment, found.student)
        # nbgrader's own preprocessors write the scores and the late penalty, configured by
        # the course's config, as in `nbgrader autograde` (saving_steps).
        graded, resources = run_saving_steps(graded, resources, self.config)
        autograded = self._path("autograded", found.student)
        autograded.parent.mkdir(parents=True, exist_ok=True)
        if autograded.exists():
            autograded.chmod(0o644)
        nbformat.write(graded, autograded)
        if replaced:
            (autograded.parent / "timestamp.txt").unlink(missing_ok=True)
        self.copy_other_files(found.student)
        if timestamp:
            (autograded.parent / "timestamp.txt").write_text(timestamp)
        return replaced


def state_directory(course: Path, assignment: str) -> Path:
    """Where ``pglab grade`` keeps each student's latest :class:`Outcome` for ``assignment``,
    one JSON file per student (never edited by hand)."""
    return course / ".pglab" / "grade" / assignment


def stored_outcomes(course: Path, assignment: str) -> list[Outcome]:
    """Every stored :class:`Outcome` of ``assignment``, in student order; a file that cannot
    be read as one is skipped."""
    paths = sorted(state_directory(course, assignment).glob("*.json"))
    return [o for o in map(_read_outcome, paths) if o is not None]


def stored_outcome(course: Path, assignment: str, student: str) -> Outcome | None:
    """``student``'s stored :class:`Outcome` of ``assignment``, or None."""
    return _read_outcome(state_directory(course, assignment) / f"{student}.json")


def _read_outcome(path: Path) -> Outcome | None:
    try:
        return _outcome_from(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None


def _outcome_from(stored) -> Outcome | None:
    """The :class:`Outcome` a stored dict holds, or None if it holds none."""
    try:
        return Outcome(**stored)
    except (ValueError, TypeError):
        return None


def _regular_file(path: Path) -> bool:
    """A regular file, not a symbolic link (``copy_other_files`` copies no link's target: it
    may be another student's file, a system file or /dev/zero)."""
    import stat

    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _not_saved(error: Exception) -> str:
    """The reason a graded result could not be written, in plain words."""
    return f"could not be graded: saving its result failed ({describe(error)})"


def _outcome(found: Found, sha: str, digest: str, result: GradeResult) -> Outcome:
    if result.error:
        return Outcome(
            found.student,
            found.origin,
            "failed",
            error=plain_text(result.error),
            timings=result.timings,
            submission_sha256=sha,
            bundle_digest=digest,
            in_submitted=found.in_course_tree,
        )
    cells = [asdict(c) for c in result.cells]
    return Outcome(
        found.student,
        found.origin,
        "graded",
        score=sum(c.score or 0.0 for c in result.cells),
        max_score=sum(c.max_score for c in result.cells),
        cells=cells,
        timings=result.timings,
        submission_sha256=sha,
        bundle_digest=digest,
        flags=result.flags,
        in_submitted=found.in_course_tree,
    )


def grade_class(
    course: Path,
    assignment: str,
    source: Path,
    jobs: int | None = None,
    unsafe_no_sandbox: bool = False,
    progress: bool = True,
    scheduler: str | None = None,
    students: list[str] | None = None,
    force: bool = False,
    say=print,
) -> Run:
    """Grade every submission under ``source``; returns what happened to each.

    Grading runs in a local pool of ``jobs`` processes, or, given a Dask ``scheduler``
    address (or ``c.Cluster.scheduler``), on that cluster's workers. A submission already
    graded (same file, same grading bundle, scores still in the gradebook) is "unchanged"
    and not graded again, unless ``force``; ``students`` limits the run to those ids and
    grades them again whatever their state. ``say`` prints what the run is about to do.
    """
    started = time.perf_counter()
    if not source.exists():  # a mistyped folder or zip: said before the gradebook is written
        raise FileNotFoundError(f"{source} does not exist")
    config = load_config(course)
    check_late_policy(config)
    if unsafe_no_sandbox:
        config.Sandbox.enabled = False
    sandbox = Sandbox(config=config)
    cluster = Cluster(config=config)
    if scheduler:
        cluster.scheduler = scheduler
    if sandbox.enabled and not cluster.scheduler:
        require(sandbox.bwrap)  # on a cluster, every worker is asked instead
    url = db_url(course, config)
    if ensure_assignment(course, assignment, url):
        say(f"{assignment} was not in the gradebook: added it from source/{assignment}/.")
    bundle = bundle_from_gradebook(url, assignment, config)
    if not bundle.notebooks:
        raise MissingEntry(f"{assignment} has no notebooks in the gradebook")
    notebook = sorted(bundle.notebooks)[0]
    course_tree = source.resolve() == (course / "submitted").resolve()
    discovery: Discovery = discover(source, assignment, notebook, course_tree)
    if students:
        missing = sorted(set(students) - set(discovery.submissions))
        if missing:
            why = [
                f"{s}: {discovery.not_graded[s][1]}" for s in missing if s in discovery.not_graded
            ]
            raise FileNotFoundError(
                f"no {notebook}.ipynb to grade for {', '.join(missing)} in {source}"
                + (f" ({'; '.join(why)})" if why else "")
            )
        discovery.submissions = {s: discovery.submissions[s] for s in sorted(set(students))}
        discovery.not_graded = {}
    ignore = CourseDirectory(config=config).ignore
    writer = ClassWriter(
        course, assignment, notebook, url, bundle, ignore, config, recorded_scores(url, assignment)
    )
    outcomes: list[Outcome] = []
    # A student whose file was handed in but not graded (a conflict, a bad timestamp) is
    # "could not be graded" in the exports until a person resolves it, not "not submitted".
    for student, (origin, why) in sorted(discovery.not_graded.items()):
        writer.save_state(Outcome(student, origin, "failed", error=why, in_submitted=course_tree))
    if course_tree and not students:
        for student in writer.forget_withdrawn():
            say(
                f"{student}: nothing of theirs is left in submitted/{assignment}/, so the "
                "file that could not be graded is no longer listed"
            )
    todo: list[tuple[Found, str]] = []
    for found in discovery.submissions.values():
        sha = _sha256(found.data)
        unchanged = None if (force or students) else writer.is_unchanged(found, sha)
        if unchanged:
            outcomes.append(unchanged)
        else:
            todo.append((found, sha))
    if not (force or students):
        _announce_regrades(writer, todo, say)
    # Everyone not graded now: a new due date, extension or late policy, or TA points given
    # since, reach their saved penalty (and so their feedback page) in this run too.
    # (writer.recorded holds every student with a submission in the gradebook)
    grading = {found.student for found, _ in todo}
    others = sorted(set(writer.recorded or {}) - grading)
    _announce_penalties(writer.reapply_late_penalties(others), say)

    backend: Backend
    if cluster.scheduler:
        backend = DaskBackend(cluster, sandbox)
        print(
            f"grading on {backend.where}: {backend.jobs} worker threads; "
            f"dashboard: {backend.dashboard}",
            flush=True,
        )
    else:
        backend = LocalBackend(max(1, jobs or os.cpu_count() or 1))
    bar = progress_display(len(todo), f"grading {assignment}", enabled=progress)
    try:
        _grade_all(todo, backend, bundle, notebook, writer, outcomes, bar)
    finally:
        bar.close()
        backend.close()
    outcomes.sort(key=lambda o: o.student)
    for outcome in outcomes:
        if outcome.replaced and outcome.status == "graded":
            say(
                f"{outcome.student}: {outcome.origin} replaced a different file in submitted/; "
                f"the earlier one (and its timestamp.txt) is kept in {outcome.replaced}/"
            )
    zipped = source.is_file()
    for outcome in outcomes:
        found = discovery.submissions.get(outcome.student)
        if found is not None:
            outcome.submitted, outcome.time_note = submission_time(found, zipped)
    extensions = {}
    with Gradebook(url) as gradebook:
        due = gradebook.find_assignment(assignment).duedate
        for submission in gradebook.assignment_submissions(assignment):
            if submission.extension:
                extensions[submission.student_id] = submission.extension.total_seconds()
    wall = time.perf_counter() - started
    return Run(
        course,
        assignment,
        outcomes,
        discovery.skipped,
        wall,
        backend.jobs,
        backend.where,
        f"{due:%Y-%m-%d %H:%M:%S} UTC" if due else "",
        extensions,
    )


def submission_time(found: Found, zipped: bool) -> tuple[str, str]:
    """(when ``found`` was handed in, in UTC, or ""; a note on what the input says about it)."""
    when = ""
    if found.timestamp:
        try:
            when = f"{parse_utc(found.timestamp):%Y-%m-%d %H:%M:%S} UTC"
        except (ValueError, OverflowError):
            when = ""
    notes = []
    if "_LATE_" in Path(found.origin).name:
        notes.append("Canvas marked it LATE")
    if zipped and not found.timestamp:
        notes.append("the LMS zip holds no submission time (its entry dates are not one)")
    return when, "; ".join(notes)


def _announce_penalties(changed: list[tuple[str, float, float]], say) -> None:
    if text := penalty_changes(changed):
        say(text)


def _announce_regrades(writer: ClassWriter, todo: list[tuple[Found, str]], say) -> None:
    """Say why students graded before are graded again, before grading starts."""
    bundle_changed, missing = [], []
    parts = writer.bundle.parts
    changed_parts: set[str] = set()
    for found, sha in todo:
        before = writer.previous(found.student)
        if before is None or before.status == "failed" or before.submission_sha256 != sha:
            continue
        if before.bundle_digest != writer.bundle.digest:
            bundle_changed.append(found.student)
            # states written before the parts were kept name no part: all are said
            changed_parts |= {k for k in parts if before.bundle_parts.get(k) != parts[k]}
        else:
            missing.append(found.student)
    if bundle_changed:
        what = [
            text
            for part, text in (
                ("source", "the assignment's source or points in the gradebook"),
                ("config", "a grading setting in nbgrader_config.py (not the late policy)"),
                ("pglab", "the pglab version"),
            )
            if part in changed_parts or not changed_parts
        ]
        source = "source" in changed_parts or not changed_parts
        say(
            f"{len(bundle_changed)} submission(s) graded before are graded again: the grading "
            f"changed since ({', or '.join(what) if len(what) > 1 else what[0]}). Written "
            "answers a TA graded keep their grades"
            + (" (flagged for a TA to confirm where their points changed)." if source else ".")
        )
    if missing:
        say(
            f"{len(missing)} submission(s) graded before have no matching grades in the "
            f"gradebook (restored or reset?): they are graded again: {', '.join(missing[:10])}"
            + (" ..." if len(missing) > 10 else "")
        )


def _grade_all(todo, backend: Backend, bundle, notebook, writer, outcomes, bar) -> None:
    """Hand every submission to ``backend`` and write each result as it arrives. Only the
    first result for a student is written: a backend that delivers one twice (a task run
    again after its worker was lost) cannot grade anyone twice.

    Byte-identical files (the untouched release handed in by several students, one file
    shared by a group) are graded once: grading is a function of the bundle and the bytes
    alone, so that result is each copy's. Each student's own submission, timestamp and late
    penalty are still written for that student."""
    parts = bundle.parts
    copies: dict[str, list[Found]] = {}
    for found, sha in todo:
        copies.setdefault(sha, []).append(found)
    waiting = {group[0].student: (sha, group) for sha, group in copies.items()}
    items = [(group[0].student, group[0].data) for group in copies.values()]
    for student, result in backend.grade_each(bundle, notebook, items):
        if student not in waiting:
            continue
        sha, group = waiting.pop(student)
        for found in group:
            outcome = _outcome(found, sha, bundle.digest, result)
            outcome.bundle_parts = parts
            if found is not group[0]:
                outcome.identical_to = group[0].student
                outcome.timings = {}  # nothing was run for this copy
            _write_outcome(found, result, outcome, writer, outcomes, bar)


def _write_outcome(found, result, outcome, writer, outcomes, bar) -> None:
    """Write one student's result (``outcome`` of ``result``) and its state file."""
    mark = time.perf_counter()
    if outcome.status == "graded":
        try:
            outcome.replaced = writer.write_graded(found, result)
        except Exception as error:  # this student's result alone cannot be saved
            unsaved = GradeResult(None, error=_not_saved(error))
            failed = _outcome(found, outcome.submission_sha256, outcome.bundle_digest, unsaved)
            failed.timings, failed.identical_to = outcome.timings, outcome.identical_to
            outcome = failed
            writer._path("autograded", found.student).unlink(missing_ok=True)
    # The client's own cost per result: what bounds a cluster's throughput (scale-out.md).
    outcome.timings = {**outcome.timings, "write": time.perf_counter() - mark}
    writer.save_state(outcome)
    outcomes.append(outcome)
    bar.update(1)
    bar.set_postfix_str(f"{found.student}: {outcome.status}")


def cell_results(outcome: Outcome) -> list[CellResult]:
    return [CellResult(**cell) for cell in outcome.cells]
