"""Each kernel's scratch directory, on a tmpfs of its own with a size cap.

The scratch directory holds what the grader and the kernel share: the connection file and
the kernel's Unix sockets (bound read-write into the sandbox at the same path, since both
sides use the socket paths) and the kernel's stderr log. Being writable by the kernel, it
must not be the host's disk: grading as root, the grader mounts a tmpfs of
``c.Sandbox.scratch_size`` bytes and 64 inodes on it (``mount(2)``, ``nosuid,nodev,noexec``)
before the kernel starts, and unmounts it when the kernel is gone. A tmpfs mounted by bwrap
inside the sandbox (``--size``) would not do: the grader, outside, must reach the sockets.

Without the right to mount (a normal user, or root without ``CAP_SYS_ADMIN``), the scratch
directory stays an ordinary directory of ``c.Sandbox.scratch_root`` (default: the system's
temporary directory), where only ``RLIMIT_FSIZE`` bounds each file: point ``scratch_root``
at a small file system of its own there.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from pathlib import Path

MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MNT_DETACH = 2
INODES = 64  # the directory, ipc/, kernel.json, five sockets, stderr.log, and some room
PREFIX = "pglab-kernel-"

_libc = ctypes.CDLL(None, use_errno=True)


def mount_tmpfs(path: Path, size: int) -> str | None:
    """Mount a tmpfs of ``size`` bytes on ``path``; None on success, else why not."""
    options = f"size={size},nr_inodes={INODES},mode=0700".encode()
    flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    if _libc.mount(b"tmpfs", os.fsencode(path), b"tmpfs", flags, options) != 0:
        code = ctypes.get_errno()
        return f"mount tmpfs on {path}: {os.strerror(code)}"
    return None


def unmount(path: Path) -> None:
    """Detach the tmpfs at ``path`` (its files go with it)."""
    if _libc.umount2(os.fsencode(path), MNT_DETACH) != 0:
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOENT):  # not a mount point (any more)
            raise OSError(code, os.strerror(code), str(path))


def is_mount(path: Path) -> bool:
    return os.path.ismount(path)


def new_name(prefix: str = PREFIX) -> str:
    """The start of a scratch directory's name: the prefix and this process's pid, which
    ``sweep`` reads back."""
    return f"{prefix}{os.getpid()}-"


def sweep(root: Path, prefix: str = PREFIX) -> None:
    """Unmount and delete the directories ``root/<prefix><pid>-*`` of graders that no longer
    run (a grader killed with SIGKILL cannot clean up after itself)."""
    try:
        entries = list(root.glob(f"{prefix}*-*"))
    except OSError:
        return
    for entry in entries:
        try:
            pid = int(entry.name[len(prefix) :].split("-")[0])
        except ValueError:
            continue
        if pid == os.getpid() or Path(f"/proc/{pid}").exists():
            continue
        try:
            if is_mount(entry):
                unmount(entry)
            shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass
