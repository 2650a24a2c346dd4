"""One unprivileged uid per running sandbox, leased with a lock file.

RLIMIT_NPROC counts the processes of a real uid. Root is exempt from it, and so is a user
namespace that maps to root (what ``bwrap --unshare-user --uid N`` does when run by root), so
when grading as root each sandbox runs under a uid of its own, held for the kernel's lifetime.
Two sandboxes never share a uid, so one student's fork bomb cannot starve another's kernel.
"""

from __future__ import annotations

import fcntl
import os
import random
from pathlib import Path


class NoFreeUid(RuntimeError):
    """Every uid of the configured range is in use by a running sandbox."""


class UidLease:
    """A uid held by this process until ``release()``: an exclusive lock on ``<dir>/<uid>``."""

    def __init__(self, lock_dir: Path, base: int, count: int):
        lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        start = random.randrange(count)
        for offset in range(count):
            uid = base + (start + offset) % count
            fd = os.open(lock_dir / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid, self._fd = uid, fd
            return
        raise NoFreeUid(
            f"all {count} sandbox uids from {base} are in use (locks in {lock_dir}); "
            "raise c.Sandbox.uid_count"
        )

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
