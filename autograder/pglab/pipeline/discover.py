"""Finding submissions: an nbgrader ``submitted/`` tree, a folder of notebooks, or an LMS zip.

Each input file is mapped to a student id, read from the export's structure, never by a
pattern that a display name (which the student chooses) could satisfy:

- Canvas:  ``smithjohn_12345_67890_reinforce.ipynb`` (``name[_LATE]_userid_submissionid_file``).
  Canvas writes the name without separators, so the first ``_`` ends it and the id fields
  follow in a fixed order.
- Moodle, a folder per submission: ``John Smith_12345_assignsubmission_file_/reinforce.ipynb``.
  The id is the number just before the suffix ``_assignsubmission_file_`` that ends the
  folder's name (Moodle appends it after the display name); the file's own name, which the
  student chose, is not read for an id.
- Moodle, flat: ``John Smith_12345_assignsubmission_file_reinforce.ipynb``. Display name and
  file name are both the student's, so a name holding the ``_<digits>_assignsubmission_``
  marker more than once is ambiguous: it is reported and not graded.
- plain:   ``alice/reinforce.ipynb`` or ``alice/reinforce/reinforce.ipynb`` (nbgrader's tree).

LMSs also rename the notebook itself (``reinforce (1).ipynb``, ``reinforce-2.ipynb``). Several
notebooks from one upload (one folder, one LMS name) are the student's own re-uploads: the
latest is graded and the others reported. Uploads from different places that claim the same
student (two folders, two display names with one id) are a conflict: none of them is graded
for that student, and each is reported for a person to resolve. A ``timestamp.txt`` that is
not a date is reported too. Nothing is silently dropped.

The course's own ``submitted/`` tree is read as nbgrader reads it (``course_tree``): only
``<student>/<assignment>/<notebook>.ipynb``, under a folder whose name is already a student
id. Any other notebook there (a stray ``reinforce 2.ipynb``, a folder named ``bo lee``) is
reported and left alone: ``pglab grade`` writes the graded file back to that very path, so
grading a copy there would overwrite the student's own file.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pglab.grading.limits import too_large
from pglab.grading.text import plain_text

CANVAS = re.compile(
    r"^(?P<name>[a-z0-9]+)(?:_LATE)?_(?P<user>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.I
)
#: Moodle's separator between "<display name>_<id>" and the uploaded file's own name.
MOODLE_MARK = re.compile(r"_(?P<user>\d+)_assignsubmission_(?:file|onlinetext)_")
#: A Moodle folder per submission: the suffix ends the folder's name.
MOODLE_FOLDER = re.compile(
    r"^(?P<name>.*)_(?P<user>\d+)_assignsubmission_(?:file|onlinetext)_?$", re.S
)
RENAMED = re.compile(r"^(?P<stem>.+?)(?:\s*\(\d+\)|[-_ ]\d+)?$")


@dataclass
class Found:
    """One student's notebook as found in the input."""

    student: str
    origin: str
    data: bytes
    timestamp: str | None = None
    #: file modification time, where the input has one (zip entries: their date)
    modified: float = 0.0
    #: found in the course's own ``submitted/`` (``discover(..., course_tree=True)``)
    in_course_tree: bool = False

    @property
    def upload_number(self) -> int:
        """2 for ``reinforce (2).ipynb`` or ``reinforce-2.ipynb``: LMSs number re-uploads."""
        match = re.search(r"(?:\((\d+)\)|[-_ ](\d+))\.ipynb$", self.origin, re.IGNORECASE)
        return int(match.group(1) or match.group(2)) if match else 0


@dataclass
class Discovery:
    submissions: dict[str, Found] = field(default_factory=dict)
    #: origin -> why it was not used
    skipped: dict[str, str] = field(default_factory=dict)
    #: student -> the uploads that claim that student (none of them graded)
    conflicts: dict[str, list[str]] = field(default_factory=dict)
    #: student -> why the file(s) handed in for them were not graded (a conflict, a
    #: timestamp that is not a date), for students with no submission graded
    not_graded: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """Whose notebook a file is, and which upload it came from (a folder, an LMS name)."""

    student: str
    #: the part of the input that names the student: files with the same ``upload`` are
    #: one student's own re-uploads; different uploads for one student are a conflict
    upload: str


def student_id_of(text: str) -> str:
    """The id a folder or LMS name gives, safe as one path component and as a CSV cell:
    letters (any script), digits and ``. _ - @ +`` are kept, anything else becomes ``_``.
    nbgrader's own ids are kept as they are: a hub whose users log in with their e-mail
    address (``ann@uni.edu``) collects into ``submitted/ann@uni.edu/``, and feedback must go
    back under that name. A leading ``- + @`` (a spreadsheet formula's start) or ``.`` and a
    trailing ``.`` or ``_`` are dropped."""
    cleaned = re.sub(r"[^\w.@+-]+", "_", text.strip()).lstrip("._-+@").rstrip("._")
    return cleaned[:64] or "unknown"


def notebook_matches(filename: str, notebook: str) -> bool:
    """True for ``reinforce.ipynb`` and the LMS's renamings of it (``reinforce (1).ipynb``)."""
    path = PurePosixPath(filename)
    if path.suffix.lower() != ".ipynb":
        return False
    match = RENAMED.match(path.stem)
    return bool(match) and match.group("stem").strip().lower() == notebook.lower()


class Ambiguous(ValueError):
    """A name that could belong to more than one student."""


def student_from_lms_name(filename: str) -> tuple[str, str, str] | None:
    """(student id, upload, the file's own name) from a flat Canvas or Moodle export name,
    else None; raises ``Ambiguous`` for a Moodle name that holds the marker twice."""
    name = PurePosixPath(filename).name
    marks = list(MOODLE_MARK.finditer(name))
    if len(marks) > 1:
        raise Ambiguous(
            "its name holds Moodle's '_<id>_assignsubmission_' more than once, so the student "
            "cannot be told from it (a display name or file name may imitate a classmate's)"
        )
    canvas = CANVAS.match(name)
    if canvas:
        return canvas.group("user"), f"canvas:{canvas['name']}_{canvas['user']}", canvas["file"]
    if marks:
        mark = marks[0]
        return mark["user"], f"moodle:{name[: mark.end()]}", name[mark.end() :] or name
    return None


def _choose(found: dict[str, list[tuple[Claim, Found]]], notebook: str, discovery) -> None:
    for student, claims in sorted(found.items()):
        uploads = sorted({claim.upload for claim, _ in claims})
        if len(uploads) > 1:
            origins = sorted(f.origin for _, f in claims)
            discovery.conflicts[student] = origins
            for origin in origins:
                discovery.skipped[origin] = (
                    f"conflict: {len(origins)} uploads claim student {student} "
                    f"({', '.join(origins)}); none was graded: a person must decide which is "
                    "theirs (rename or remove the others) and grade again"
                )
            continue
        candidates = [f for _, f in claims]
        # Latest first by submission time, then the LMS's re-upload number, then file time.
        candidates.sort(key=lambda f: (f.timestamp or "", f.upload_number, f.modified, f.origin))
        chosen = candidates[-1]
        for other in candidates[:-1]:
            discovery.skipped[other.origin] = (
                f"{student} has several {notebook} notebooks; graded the latest, {chosen.origin}"
            )
        discovery.submissions[student] = chosen


def _not_a_date(timestamp: str) -> bool:
    from nbgrader.utils import parse_utc

    try:
        parse_utc(timestamp)
    except Exception:  # dateutil raises several types
        return True
    return False


def shown(name: str) -> str:
    """A file name as printed and reported: not UTF-8 bytes and control characters (a newline
    that would forge a line of output, a terminal escape) escaped, the rest as it is."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
        for c in plain_text(name)
    )


@dataclass(frozen=True)
class Unusable:
    """A file found but not read, and why: a symbolic link, not a regular file, too large,
    unreadable (a timestamp.txt's problem is its notebook's)."""

    reason: str


#: A timestamp.txt holds one date and time; longer is not one (and a date parser's time grows
#: with the square of its input).
MAX_TIMESTAMP_BYTES = 1024


def discover(source: Path, assignment: str, notebook: str, course_tree: bool = False) -> Discovery:
    """All submissions under ``source`` (a directory or a .zip), one per student;
    ``course_tree``: ``source`` is the course's own ``submitted/`` (module docstring)."""
    discovery = Discovery()
    if source.is_file() and zipfile.is_zipfile(source):
        entries = _zip_entries(source, discovery)
    elif source.is_dir():
        entries = _dir_entries(source)
    else:
        raise FileNotFoundError(f"{source} is neither a folder nor a zip file")
    found: dict[str, list[tuple[Claim, Found]]] = {}
    for relative, read, timestamp, modified in entries:
        # a file name that is not UTF-8 (a zip's, a folder's) is shown escaped, never fails
        origin = shown(str(relative))
        if isinstance(read, Unusable) and relative.suffix.lower() != ".ipynb":
            continue  # not a notebook: nothing of it is used
        timestamp = plain_text(timestamp) if isinstance(timestamp, str) else timestamp
        try:
            if course_tree:
                claim = _claim_in_course_tree(relative, assignment, notebook)
            else:
                claim = _claim_of(relative, assignment, notebook)
        except Ambiguous as error:
            discovery.skipped[origin] = f"not graded: {error}; a person must check it"
            continue
        except LeftAlone as error:
            discovery.skipped[origin] = str(error)
            continue
        if claim is None:
            # in submitted/, another assignment's file or not a notebook: not this run's
            if not course_tree and relative.suffix.lower() == ".ipynb":
                discovery.skipped[origin] = (
                    f"could not tell which student this is, or it is not {notebook}.ipynb"
                )
            continue
        problem = read.reason if isinstance(read, Unusable) else None
        if problem is None and isinstance(timestamp, Unusable):
            problem = f"its timestamp.txt is {timestamp.reason}"
        if problem is not None:
            discovery.skipped[origin] = f"not graded: {problem}"
            discovery.not_graded.setdefault(claim.student, (origin, problem))
            continue
        if timestamp and _not_a_date(timestamp):
            discovery.skipped[origin] = (
                f"not graded: its timestamp.txt ({timestamp[:40]!r}) is not a date and time; "
                "fix or remove it and grade again"
            )
            discovery.not_graded.setdefault(
                claim.student, (origin, "its timestamp.txt is not a date and time")
            )
            continue
        try:
            data = read()
        except (OSError, RuntimeError, EOFError, zipfile.BadZipFile, zlib.error) as error:
            why = f"could not be read ({type(error).__name__}: {shown(str(error))[:120]})"
            discovery.skipped[origin] = f"not graded: {why}"
            discovery.not_graded.setdefault(claim.student, (origin, why))
            continue
        found.setdefault(claim.student, []).append(
            (claim, Found(claim.student, origin, data, timestamp, modified, course_tree))
        )
    _choose(found, notebook, discovery)
    for student, origins in discovery.conflicts.items():
        discovery.not_graded[student] = (
            ", ".join(origins),
            f"{len(origins)} uploads claim this student; a person must decide which is theirs",
        )
    for student in discovery.submissions:
        discovery.not_graded.pop(student, None)
    return discovery


class LeftAlone(ValueError):
    """A notebook in the course's ``submitted/`` that is not graded, and why."""


def _claim_in_course_tree(relative: PurePosixPath, assignment: str, notebook: str) -> Claim | None:
    """The claim of a file in the course's own ``submitted/``: nbgrader's path exactly. Other
    assignments' files are not this run's business (None, not reported)."""
    parts = relative.parts
    if len(parts) != 3 or parts[1] != assignment or relative.suffix.lower() != ".ipynb":
        return None
    if parts[2] != f"{notebook}.ipynb":
        raise LeftAlone(
            f"not graded, and left as it is: in submitted/ the notebook graded is "
            f"{parts[0]}/{assignment}/{notebook}.ipynb (nbgrader's path); remove this copy, or "
            "give it that name if it is the one to grade"
        )
    student = student_id_of(parts[0])
    if student != parts[0]:
        raise LeftAlone(
            f"not graded, and left as it is: the folder name {parts[0]!r} is not a student id "
            f"pglab can use as it is (it would be {student!r}); rename the folder to the "
            "student's id and grade again"
        )
    return Claim(student, parts[0])


def _claim_of(relative: PurePosixPath, assignment: str, notebook: str) -> Claim | None:
    parts = relative.parts
    folder = "/".join(parts[:-1])
    # Moodle, a folder per submission: the folder's name alone says who.
    if len(parts) >= 2:
        moodle = MOODLE_FOLDER.match(parts[-2])
        if moodle:
            if not notebook_matches(relative.name, notebook):
                return None
            return Claim(student_id_of(moodle["user"]), f"moodle-folder:{folder}")
    # nbgrader: <student>/<assignment>/<notebook>.ipynb (the file's own name is not read)
    if len(parts) >= 3 and parts[-2] == assignment and notebook_matches(relative.name, notebook):
        return Claim(student_id_of(parts[-3]), "/".join(parts[:-2]))
    lms = student_from_lms_name(relative.name)
    if lms is not None:
        user, upload, own_name = lms
        if notebook_matches(own_name, notebook):
            return Claim(student_id_of(user), f"{folder}/{upload}")
    if not notebook_matches(relative.name, notebook):
        return None
    # <student>/<notebook>.ipynb
    if len(parts) >= 2:
        return Claim(student_id_of(parts[-2]), folder)
    return None


def _unusable(path: Path, info) -> Unusable | None:
    """Why the file at ``path`` (its ``lstat``) is not read: links are not followed (one could
    point at a classmate's notebook, the solutions or a system file), and only regular files
    of a notebook's size are read (a FIFO would hang the run, a device never end)."""
    import stat

    if stat.S_ISLNK(info.st_mode):
        return Unusable("a symbolic link (pglab reads only regular files)")
    if stat.S_ISDIR(info.st_mode):
        return Unusable("a folder, not a notebook")
    if not stat.S_ISREG(info.st_mode):
        return Unusable("not a regular file (pglab reads only regular files)")
    if too_large(info.st_size):
        return Unusable(too_large(info.st_size))
    return None


def _timestamp_in(folder: Path) -> str | Unusable | None:
    path = folder / "timestamp.txt"
    try:
        info = path.lstat()
    except OSError:
        return None
    problem = _unusable(path, info)
    if problem is not None:
        return problem
    if info.st_size > MAX_TIMESTAMP_BYTES:
        return Unusable(f"{info.st_size} bytes long, not one date and time")
    try:
        return path.read_bytes().decode("utf-8", "replace").strip()
    except OSError as error:
        return Unusable(f"unreadable ({error.strerror})")


def _dir_entries(source: Path):
    stamps: dict[Path, str | Unusable | None] = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(p.startswith(".") for p in relative.parts):
            continue
        try:
            info = path.lstat()
        except OSError:
            continue
        problem = _unusable(path, info)
        if problem is not None and problem.reason.startswith("a folder"):
            if path.suffix.lower() != ".ipynb":
                continue  # an ordinary folder
        if path.parent not in stamps:
            stamps[path.parent] = _timestamp_in(path.parent)
        read = problem if problem is not None else path.read_bytes
        yield PurePosixPath(relative.as_posix()), read, stamps[path.parent], info.st_mtime


def _universal_time(extra: bytes) -> int | None:
    """The modification time in an Info-ZIP extended timestamp field (0x5455): UTC seconds."""
    import struct

    position = 0
    while position + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + size]
        if kind == 0x5455 and len(body) >= 5 and body[0] & 1:
            return struct.unpack_from("<i", body, 1)[0]
        position += 4 + size
    return None


def zip_date(info: zipfile.ZipInfo) -> tuple[float, str]:
    """A zip entry's date: (seconds, to order one student's files; words, for the report).

    The UTC time of an extended timestamp field when the entry has one; otherwise the ZIP
    "DOS" date, a local time whose zone the format does not record (read as if UTC here, which
    only orders files from the same zip, made on one machine)."""
    from datetime import datetime, timezone

    utc = _universal_time(info.extra)
    if utc is not None:
        moment = datetime.fromtimestamp(utc, timezone.utc)
        return float(utc), f"zip entry dated {moment:%Y-%m-%d %H:%M:%S} UTC"
    local = datetime(*info.date_time)
    return (
        local.replace(tzinfo=timezone.utc).timestamp(),
        f"zip entry dated {local:%Y-%m-%d %H:%M:%S}, local time of the machine that made the "
        "zip (no time zone recorded)",
    )


def _zip_entries(source: Path, discovery: Discovery):
    """The zip's files. A ``timestamp.txt`` beside a notebook in the zip (a zipped nbgrader
    ``submitted/`` tree) is its submission time. A zip entry's own date is not: Canvas's
    "Download Submissions" zip dates every entry when the zip is made, Moodle's "Download all
    submissions" when the file is copied into it, both as a ZIP date in the server's local
    time with no zone. Used as a submission time it would make every student late once the
    zip is downloaded after the due date; it only orders one student's files (``modified``)."""
    with zipfile.ZipFile(source) as archive:
        stamps = {}
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if path.name == "timestamp.txt" and not info.is_dir():
                if info.file_size > MAX_TIMESTAMP_BYTES:
                    stamps[path.parent] = Unusable(
                        f"{info.file_size} bytes long, not one date and time"
                    )
                    continue
                try:
                    text = archive.read(info).decode("utf-8", "replace").strip()
                except (OSError, RuntimeError, EOFError, zipfile.BadZipFile, zlib.error) as error:
                    text = Unusable(f"unreadable in the zip ({type(error).__name__})")
                stamps[path.parent] = text
        for info in archive.infolist():
            if info.is_dir() or info.filename.startswith("__MACOSX/"):
                continue
            relative = PurePosixPath(info.filename)
            if ".." in relative.parts or relative.is_absolute():
                discovery.skipped[plain_text(info.filename)] = "unsafe path in the zip file"
                continue
            modified, _ = zip_date(info)
            stamp = stamps.get(relative.parent)
            if too_large(info.file_size):  # before reading: a zip bomb never unpacks
                yield relative, Unusable(too_large(info.file_size)), stamp, modified
                continue
            yield relative, (lambda info=info: archive.read(info)), stamp, modified
