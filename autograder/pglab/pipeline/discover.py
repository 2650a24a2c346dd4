"""Finding submissions: an nbgrader ``submitted/`` tree, a folder of notebooks, or an LMS zip.

Each input file is mapped to a student id. LMS exports name files after the student:

- Canvas:  ``smithjohn_12345_67890_reinforce.ipynb`` (``name[_LATE]_userid_submissionid_file``)
- Moodle:  ``John Smith_12345_assignsubmission_file_reinforce.ipynb`` (or a folder so named)
- plain:   ``alice.ipynb`` or ``alice/reinforce.ipynb``

LMSs also rename the notebook itself (``reinforce (1).ipynb``, ``reinforce-2.ipynb``).
What cannot be mapped, and every choice between several notebooks of one student, is
reported, never silently dropped.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

CANVAS = re.compile(
    r"^(?P<name>[a-z0-9]+?)(?:_LATE)?_(?P<user>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.I
)
MOODLE = re.compile(
    r"^(?P<name>.+?)_(?P<user>\d+)_assignsubmission_(?:file|onlinetext)_?(?P<file>.*)$"
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


def _safe_student_id(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text.strip()).strip("._")
    return cleaned[:64] or "unknown"


def notebook_matches(filename: str, notebook: str) -> bool:
    """True for ``reinforce.ipynb`` and the LMS's renamings of it (``reinforce (1).ipynb``)."""
    path = PurePosixPath(filename)
    if path.suffix.lower() != ".ipynb":
        return False
    match = RENAMED.match(path.stem)
    return bool(match) and match.group("stem").strip().lower() == notebook.lower()


def student_from_lms_name(filename: str) -> tuple[str, str] | None:
    """(student id, the file's own name) from a Canvas or Moodle export name, else None."""
    name = PurePosixPath(filename).name
    for pattern, prefix in ((CANVAS, "canvas"), (MOODLE, "moodle")):
        match = pattern.match(name)
        if match:
            del prefix
            return match.group("user"), match.group("file") or name
    return None


def _choose(found: dict[str, list[Found]], notebook: str, discovery: Discovery) -> None:
    for student, candidates in sorted(found.items()):
        # Latest first by submission time, then the LMS's re-upload number, then file time.
        candidates.sort(key=lambda f: (f.timestamp or "", f.upload_number, f.modified, f.origin))
        chosen = candidates[-1]
        for other in candidates[:-1]:
            discovery.skipped[other.origin] = (
                f"{student} has several {notebook} notebooks; graded the latest, {chosen.origin}"
            )
        discovery.submissions[student] = chosen


def discover(source: Path, assignment: str, notebook: str) -> Discovery:
    """All submissions under ``source`` (a directory or a .zip), one per student."""
    discovery = Discovery()
    if source.is_file() and zipfile.is_zipfile(source):
        entries = _zip_entries(source, discovery)
    elif source.is_dir():
        entries = _dir_entries(source)
    else:
        raise FileNotFoundError(f"{source} is neither a folder nor a zip file")
    found: dict[str, list[Found]] = {}
    for relative, read, timestamp, modified in entries:
        student = _student_of(relative, assignment, notebook)
        if student is None:
            if relative.suffix.lower() == ".ipynb":
                discovery.skipped[str(relative)] = (
                    f"could not tell which student this is, or it is not {notebook}.ipynb"
                )
            continue
        found.setdefault(student, []).append(
            Found(student, str(relative), read(), timestamp, modified)
        )
    _choose(found, notebook, discovery)
    return discovery


def _student_of(relative: PurePosixPath, assignment: str, notebook: str) -> str | None:
    parts = relative.parts
    if not notebook_matches(relative.name, notebook) and not _lms_notebook(relative, notebook):
        return None
    # nbgrader: <student>/<assignment>/<notebook>.ipynb
    if len(parts) >= 3 and parts[-2] == assignment:
        return _safe_student_id(parts[-3])
    lms = student_from_lms_name(relative.name) or (
        student_from_lms_name(parts[-2] + "_") if len(parts) >= 2 else None
    )
    if lms:
        return _safe_student_id(lms[0])
    # <student>/<notebook>.ipynb
    if len(parts) >= 2:
        return _safe_student_id(parts[-2])
    return None


def _lms_notebook(relative: PurePosixPath, notebook: str) -> bool:
    lms = student_from_lms_name(relative.name)
    return bool(lms) and notebook_matches(lms[1], notebook)


def _dir_entries(source: Path):
    for path in sorted(source.rglob("*")):
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(source).parts):
            stamp_file = path.parent / "timestamp.txt"
            stamp = stamp_file.read_text().strip() if stamp_file.is_file() else None
            relative = PurePosixPath(path.relative_to(source).as_posix())
            yield relative, path.read_bytes, stamp, path.stat().st_mtime


def _zip_entries(source: Path, discovery: Discovery):
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            if info.is_dir() or info.filename.startswith("__MACOSX/"):
                continue
            relative = PurePosixPath(info.filename)
            if ".." in relative.parts or relative.is_absolute():
                discovery.skipped[info.filename] = "unsafe path in the zip file"
                continue
            year, month, day, hour, minute, second = info.date_time
            stamp = f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}"
            yield relative, (lambda info=info: archive.read(info)), stamp, 0.0
