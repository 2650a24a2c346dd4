"""One pglab command at a time writes a course.

``pglab grade``, ``export``, ``roster``, ``release`` and ``probes --write`` write the
gradebook or the course's notebooks, and nbgrader's SQLite gradebook is not made for several
writers. Two of them at once (an instructor's second terminal, a TA exporting during a
grading run) would grade everyone twice, interleave the gradebook's writes and regenerate the
release under a run that is reading it. Each takes this lock on the course first; a second
one is refused with a line naming the first.

The lock is ``flock`` on ``.pglab/course.lock``: the kernel releases it when its holder
exits, however it exits, so a killed run never leaves the course locked. nbgrader's own
commands and formgrader do not take it (docs/instructor.md).
"""

from __future__ import annotations

import fcntl
import os
import shlex
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = Path(".pglab") / "course.lock"


class CourseBusy(RuntimeError):
    """Another pglab command holds the course; the message says which, and what to do."""


def _holder(fd: int) -> str:
    """What the lock file says of the command holding it (it writes itself there)."""
    try:
        text = os.pread(fd, 4096, 0).decode(errors="replace").strip()
    except OSError:
        text = ""
    return text.splitlines()[0][:300] if text else "another pglab command"


def _owned_like_the_course(course: Path, lock: Path) -> None:
    """Root working in a course another user owns (the hub's grader account) leaves the lock
    and its folder to that user: ``.pglab/`` is where pglab grade keeps its state, and a
    root-owned one would stop the course's own user from grading."""
    if os.geteuid() != 0:
        return
    owner = course.stat()
    for path in (lock.parent, lock):
        if path.stat().st_uid != owner.st_uid:
            os.chown(path, owner.st_uid, owner.st_gid)


def _write(fd: int, text: str) -> None:
    """Replace the lock file's text (where this descriptor may write it)."""
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode(), 0)
    except OSError:
        pass


@contextmanager
def holding_course(course: Path, argv: list[str] | None = None) -> Iterator[None]:
    """Hold ``course``'s lock for the block, or raise :class:`CourseBusy` at once.

    Where there is no such course directory, or this user can neither create nor open the
    lock file (read access only), nothing is locked: the command then fails on its own, or
    could not write the course either."""
    path = Path(course) / LOCK_FILE
    try:
        path.parent.mkdir(exist_ok=True)  # never the course itself: a mistyped --course
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o664)
        _owned_like_the_course(Path(course), path)
    except PermissionError:
        try:  # another user's lock file: flock works on a read-only descriptor too
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            fd = None
    except OSError:  # no such course: the command says so itself
        fd = None
    if fd is None:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CourseBusy(
                f"{_holder(fd)} is already writing this course ({Path(course).resolve()}); "
                "run this command again when it has finished."
            ) from None
        command = " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
        since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        _write(fd, f"`pglab {command}` (pid {os.getpid()}, since {since})\n")
        try:
            yield
        finally:
            _write(fd, "")
    finally:
        os.close(fd)
