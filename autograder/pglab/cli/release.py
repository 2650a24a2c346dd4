"""``pglab release``: regenerate release/ and solutions/ from source/ with nbgrader, or check them.

release/A/A.ipynb   the student version (``nbgrader generate_assignment``)
solutions/A/A.ipynb the executed solution without hidden tests (``nbgrader generate_solution``)
solutions/A/A.html  the same, rendered for publishing
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import signal
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from pglab.assignments import ASSIGNMENTS
from pglab.course import NbgraderFailed, run_nbgrader
from pglab.leaks import release_leaks
from pglab.preprocessors.sandboxed_execute import merge_streams
from pglab.submissions import SOLUTION_MARKERS

HELP = "Regenerate release/ and solutions/ from source/ (or --check that they are in sync)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate in a scratch copy and exit 1 if anything differs",
    )
    parser.add_argument("--course", default=".", help="course directory (default: .)")


#: What nbgrader's refusals mean for the instructor, by a phrase of nbgrader's reason.
WHAT_TO_DO = {
    "because there are submissions": "nbgrader does not add or remove the graded cells of an "
    "assignment that has submissions in the gradebook: put the removed cells back in source/ (or "
    "take out the added ones), or make the change a new assignment",
}


def nbgrader_reason(output: str) -> str:
    """The line of nbgrader's output that says why it failed: the exception's message (the
    last ``SomethingError: ...`` line), else its last ERROR log line, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        kind, colon, message = line.partition(": ")
        if colon and message and kind.replace(".", "").isidentifier():
            if kind.endswith(("Error", "Exception", "Exit")):
                return message.strip()
    errors = [line.partition("ERROR]")[2].strip() for line in lines if "| ERROR]" in line]
    return (errors or lines or ["no output"])[-1]


class SolutionFails(Exception):
    """The executed solution shows an error: publishing it would publish the traceback."""


class ReleaseInterrupted(KeyboardInterrupt):
    """Ctrl-C during a release, after everything was put back; the message says what is left."""


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Ctrl-C ignored for the block (putting a course back must not stop half-way)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _sqlite_path(course: Path) -> Path | None:
    """The course's gradebook file, or None if its ``db_url`` is not an SQLite file."""
    from sqlalchemy.engine import make_url

    from pglab.pipeline.run import db_url, load_config

    try:
        url = make_url(db_url(course, load_config(course)))
    except Exception:  # a config nbgrader cannot read either: it fails and says why
        url = make_url(f"sqlite:///{course / 'gradebook.db'}")
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return course / url.database  # nbgrader opens a relative path from the course directory


#: What TAs write in formgrader: the gradebook is put back only if none of it changed while
#: the release ran (formgrader does not take the course lock).
_TA_WORK = (
    "SELECT id, manual_score, extra_credit, needs_manual_grade FROM grade ORDER BY id",
    "SELECT id, manual_comment FROM comment ORDER BY id",
)


def _ta_work(connection: sqlite3.Connection) -> list:
    try:
        return [connection.execute(query).fetchall() for query in _TA_WORK]
    except sqlite3.Error:  # no such table: a gradebook nbgrader has not made yet
        return []


class GradebookBackup:
    """A copy of the gradebook, made before nbgrader writes it, to put back if the release
    does not complete. SQLite's backup API copies it consistently; the course lock keeps
    other pglab commands out meanwhile. Formgrader does not take that lock: a TA's grade or
    comment saved while the release ran makes ``restore`` leave the gradebook as it is (and
    say so) rather than lose it."""

    def __init__(self, course: Path, scratch: Path):
        self.path = _sqlite_path(course)
        self.copy = scratch / "gradebook.db"
        self.existed = self.path is not None and self.path.exists()
        if self.existed:
            try:
                with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as source:
                    with closing(sqlite3.connect(self.copy)) as copy:
                        source.backup(copy)
            except (OSError, sqlite3.Error) as error:
                raise SystemExit(
                    f"pglab release: cannot copy {self.path} before regenerating ({error}), "
                    "to put it back if the release does not complete; nothing was changed."
                ) from None

    def restore(self) -> str:
        """Put the gradebook back as it was; "" when done, else why it could not be."""
        if self.path is None:
            return "it is not an SQLite file, which pglab release cannot copy"
        try:
            if not self.existed:  # nbgrader created it: a fresh course has none
                for suffix in ("", "-journal", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                return ""
            with closing(sqlite3.connect(self.copy)) as copy:
                with closing(sqlite3.connect(self.path, timeout=60)) as gradebook:
                    if _ta_work(gradebook) != _ta_work(copy):
                        return (
                            "a TA's grade or comment was saved in it meanwhile (formgrader?), "
                            "which putting it back would lose"
                        )
                    copy.backup(gradebook)
        except (OSError, sqlite3.Error) as error:
            return str(error)
        return ""


def _left_as_they_were(name: str, gradebook_problem: str) -> str:
    """What a release that did not complete leaves, in plain words."""
    if not gradebook_problem:
        return f"release/{name}, solutions/{name} and the gradebook are left as they were"
    return (
        f"release/{name} and solutions/{name} are left as they were, but the gradebook could "
        f"not be put back ({gradebook_problem}): it may hold the cells and points of this "
        f"unfinished release of {name}; run `pglab release {name}` again once it succeeds"
    )


def generate(course: Path, name: str) -> None:
    """Regenerate release/NAME and solutions/NAME from source/, and NAME in the gradebook.
    When nbgrader fails, the solution fails or the run is interrupted, all three are put back
    exactly as they were, and ``SystemExit`` (``ReleaseInterrupted``) says so in plain
    words."""
    trees = [course / tree / name for tree in ("release", "solutions")]
    with tempfile.TemporaryDirectory(prefix="pglab-release-") as scratch:
        gradebook = GradebookBackup(course, Path(scratch))
        kept = {tree: Path(scratch) / tree.parent.name for tree in trees if tree.exists()}
        parents = {tree.parent: tree.parent.exists() and tree.parent.stat() for tree in trees}
        for tree, copy in kept.items():
            shutil.copytree(tree, copy, symlinks=True)
        try:
            _generate(course, name)
        except BaseException as error:
            with _uninterrupted():
                for tree in trees:
                    if tree.is_symlink() or tree.is_file():
                        tree.unlink()
                    elif tree.exists():
                        shutil.rmtree(tree)
                    if tree in kept:
                        shutil.copytree(kept[tree], tree, symlinks=True)
                for parent, before in parents.items():
                    if before:
                        os.utime(parent, ns=(before.st_atime_ns, before.st_mtime_ns))
                    elif parent.is_dir() and not any(parent.iterdir()):
                        parent.rmdir()
                problem = gradebook.restore()
            left = _left_as_they_were(name, problem)
            if isinstance(error, KeyboardInterrupt):
                raise ReleaseInterrupted(f"pglab release: interrupted; {left}.") from None
            if isinstance(error, SolutionFails):
                nothing = left if problem else "nothing was changed"
                raise SystemExit(f"pglab release: {error}; {nothing}.") from None
            if not isinstance(error, NbgraderFailed):
                raise
            reason = nbgrader_reason(str(error).partition("\n")[2]).rstrip(".")
            advice = [text for phrase, text in WHAT_TO_DO.items() if phrase in reason]
            raise SystemExit(
                f"pglab release: nbgrader could not regenerate {name}: {reason}. {left}."
                + "".join(f"\n{text}." for text in advice)
            ) from None


#: IPython's name of a notebook cell in a traceback ("Cell In[3], line 9"), colours removed
_TRACEBACK_CELL = re.compile(r"Cell In\[(\d+)\]")
_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


def solution_error(notebook: nbformat.NotebookNode) -> str:
    """What the first cell whose execution raised says, "" if none did: "the solution fails
    in cell ID: Error: message". ID is the grade_id (else the number) of the cell where the
    error arose, as its traceback says (a typo in log_prob's solution raises when the test
    cell after it calls log_prob), then of the cell that ran it."""

    def name(number: int, cell) -> str:
        return cell.metadata.get("nbgrader", {}).get("grade_id") or f"number {number}"

    cells = list(enumerate(notebook.cells, start=1))
    by_count = {c.get("execution_count"): (n, c) for n, c in cells if c.cell_type == "code"}
    for number, cell in cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.output_type != "error":
                continue
            where = name(number, cell)
            traceback = _COLOURS.sub("", "\n".join(output.get("traceback", [])))
            frames = _TRACEBACK_CELL.findall(traceback)
            origin = by_count.get(int(frames[-1])) if frames else None
            if origin is not None and origin[1] is not cell:
                where = f"{name(*origin)}, called from cell {where}"
            message = (str(output.get("evalue", "")).strip().splitlines() or [""])[0]
            error = f"{output.get('ename', 'Error')}: {message}".rstrip(": ")
            return f"the solution fails in cell {where}: {error}"
    return ""


def _generate(course: Path, name: str) -> None:
    run_nbgrader(course, "generate_assignment", name, "--force")
    run_nbgrader(course, "generate_solution", name, "--force")
    solution = course / "solutions" / name / f"{name}.ipynb"
    notebook = nbformat.read(solution, as_version=4)
    failure = solution_error(notebook)
    if failure:  # its traceback would be published (and quote the solution's source)
        raise SolutionFails(failure)
    # The exact Python version of whoever regenerated it is noise, not content.
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # wall-clock timestamps: never reproducible
        if cell.cell_type == "code":
            merge_streams(cell)  # how prints split into messages depends on timing
        cell.source = "\n".join(
            line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS
        )
    nbformat.write(notebook, solution)
    html, _ = HTMLExporter().from_notebook_node(notebook)
    solution.with_suffix(".html").write_text(html, encoding="utf-8")


def _differences(expected: Path, actual: Path) -> list[str]:
    comparison = filecmp.dircmp(expected, actual)
    found = [f"{actual / n}: missing" for n in comparison.left_only]
    found += [f"{actual / n}: should not exist" for n in comparison.right_only]
    found += [f"{actual / n}: out of date" for n in comparison.diff_files]
    for sub in comparison.common_dirs:
        found += _differences(expected / sub, actual / sub)
    return found


def _source_in_gradebook(course: Path, name: str) -> str | None:
    """The digest of NAME's source cells and points in the course's gradebook
    (``Bundle.parts["source"]``, what ``pglab grade`` grades against); None when the
    gradebook or the assignment is not there (``pglab grade`` then adds it from source/)."""
    from nbgrader.api import MissingEntry

    from pglab.grading.bundle import bundle_from_gradebook
    from pglab.pipeline.run import db_url, load_config

    path = _sqlite_path(course)
    if path is not None and not path.exists():
        return None  # opening it would create it
    config = load_config(course)
    try:
        return bundle_from_gradebook(db_url(course, config), name, config).parts["source"]
    except MissingEntry:
        return None


def check(course: Path, names: list[str]) -> list[str]:
    """Regenerate in a scratch copy of the course; list the committed files that differ, and
    each assignment whose cells or points in the course's gradebook are not source/'s."""
    with tempfile.TemporaryDirectory(prefix="pglab-release-") as scratch:
        copy = Path(scratch)
        shutil.copy(course / "nbgrader_config.py", copy)
        with (copy / "nbgrader_config.py").open("a", encoding="utf-8") as config:
            # never the course's own gradebook or folders, whatever its config names
            config.write(
                f"\nc.CourseDirectory.root = {str(copy)!r}\n"
                f"c.CourseDirectory.db_url = {'sqlite:///' + str(copy / 'gradebook.db')!r}\n"
            )
        shutil.copytree(course / "source", copy / "source")
        problems = []
        for name in names:
            generate(copy, name)
            for tree in ("release", "solutions"):
                committed = course / tree / name
                if not committed.exists():
                    problems.append(f"{committed}: missing")
                else:
                    problems += _differences(copy / tree / name, committed)
            held = _source_in_gradebook(course, name)
            if held is not None and held != _source_in_gradebook(copy, name):
                problems.append(
                    f"{_sqlite_path(course) or 'the gradebook'}: holds other cells or points "
                    f"of {name} than source/ (`pglab grade {name}` grades against those)"
                )
        return problems


def leaks(course: Path, names: list[str]) -> int:
    """Print what release/ or solutions/ leaks (pglab.leaks); 1 if anything, else 0."""
    found = [
        p for n in names for t in ("release", "solutions") for p in release_leaks(course, n, t)
    ]
    for line in found:
        print(line)
    if found:
        print("release/ or solutions/ leaks solutions, hidden tests, seeds or the grading package")
    return 1 if found else 0


def stale_sources(course: Path, names: list[str]) -> list[str]:
    """Source notebooks whose probes or generated cells (the rewards_to_go helper cell, copied
    from the reference) are out of date: releasing them would ship stale given code."""
    from pglab.cli.probes import source_notebook, stale_cells

    found = []
    for name in names:
        path = source_notebook(course, ASSIGNMENTS[name])
        stale = stale_cells(ASSIGNMENTS[name], nbformat.read(path, as_version=4))
        if stale:
            found.append(f"{path}: {', '.join(stale)} out of date; run `pglab probes --write`")
    return found


def release_order(names: list[str]) -> list[str]:
    """One line per assignment whose given code holds an earlier one's graded results."""
    return [
        f"note: release/{name}/ gives the results of {earlier}'s "
        f"{', '.join(functions)}: hand it out after {earlier}'s deadline and late window"
        for name in names
        if name in ASSIGNMENTS
        for earlier, functions in ASSIGNMENTS[name].gives_results_of.items()
    ]


def regrade_note(course: Path, name: str) -> str:
    """What regenerating NAME means for the submissions already graded: when the source or
    points nbgrader now keeps in the gradebook differ from those they were graded with, the
    next ``pglab grade`` grades them again (``pglab.pipeline.run``); said here, before that
    run, so that the instructor is not surprised by it. "" when nobody is concerned."""
    from nbgrader.api import MissingEntry

    from pglab.grading.bundle import bundle_from_gradebook
    from pglab.pipeline.run import db_url, load_config, stored_outcomes

    graded = [
        o
        for o in stored_outcomes(course, name)
        if o.status in ("graded", "unchanged")
        # the state of a student who left (their folder moved out of submitted/) is no one's
        and (course / "submitted" / o.student / name).is_dir()
    ]
    if not graded:
        return ""
    config = load_config(course)
    try:
        bundle = bundle_from_gradebook(db_url(course, config), name, config)
    except MissingEntry:
        return ""
    source = bundle.parts["source"]
    concerned = 0
    for before in graded:
        graded_with = before.bundle_parts.get("source")
        if graded_with is None:  # kept before the parts were: the whole digest says
            concerned += before.bundle_digest != bundle.digest
        else:
            concerned += graded_with != source
    if not concerned:
        return ""
    return (
        f"note: {concerned} submission(s) of {name} were graded with the previous source or "
        f"points: the next `pglab grade {name}` grades them again against this one (written "
        "answers a TA graded keep their grades; any whose points changed wait for a TA to "
        "confirm them)"
    )


def writes_course(args: argparse.Namespace) -> bool:
    """Regenerating writes release/, solutions/ and the gradebook; ``--check`` only reads."""
    return not args.check


def run(args: argparse.Namespace) -> int:
    course = Path(args.course).resolve()
    names = args.assignments or list(ASSIGNMENTS)
    unknown = [n for n in names if not (course / "source" / n).is_dir()]
    if unknown:
        known = sorted(p.name for p in (course / "source").glob("*") if p.is_dir())
        print(
            f"pglab release: no source/{unknown[0]}/ in {course}; the assignments here: "
            f"{', '.join(known) or 'none'}"
        )
        return 2
    stale = stale_sources(course, [n for n in names if n in ASSIGNMENTS])
    if stale:
        print("\n".join(stale))
        return 1
    if args.check:
        problems = check(course, names)
        for line in problems:
            print(line)
        if problems:
            print(
                "release/, solutions/ or the gradebook is out of sync with source/: "
                "run `pglab release`"
            )
            return 1
        print("release/, solutions/ and the gradebook are in sync with source/")
        return leaks(course, names)
    done: list[str] = []
    for name in names:
        try:
            generate(course, name)
        except (ReleaseInterrupted, SystemExit) as stopped:
            kept = ""
            if done:  # the earlier ones completed: they stay, checked like any release
                leaks(course, done)
                kept = f"\npglab release: {', '.join(done)} regenerated before that, and kept."
            if isinstance(stopped, ReleaseInterrupted):
                print(f"{stopped}{kept}")
                return 130
            if not kept or not isinstance(stopped.code, str):
                raise
            raise SystemExit(stopped.code + kept) from None
        done.append(name)
        print(f"regenerated release/{name} and solutions/{name}")
        note = regrade_note(course, name)
        if note:
            print(note)
    for line in release_order(names):
        print(line)
    return leaks(course, names)
