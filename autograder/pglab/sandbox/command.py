"""The bubblewrap command line that runs one kernel in its sandbox (a pure function).

Inside the sandbox the kernel sees:

- ``/usr`` (and the ``/bin``, ``/lib``... links into it), the Python environment that runs
  the grader and any ``Sandbox.read_only_paths``: read-only, at their host paths;
- ``/home/student/work``: a copy of the one submission's directory, on a size-capped tmpfs
  (the original is mounted read-only at ``/run/pglab/submission`` only to be copied);
- ``/tmp``: an empty size-capped tmpfs; a fresh ``/proc`` (its own PID namespace) and ``/dev``;
- the kernel's connection file and IPC sockets, in one scratch directory (on a tmpfs of
  ``Sandbox.scratch_size`` when grading as root, see ``scratch.py``);
- nothing else writable: bwrap's own root tmpfs and ``/dev`` are remounted read-only;

and nothing else: no course directory, no gradebook, no other submission, no home
directory, no network (an empty network namespace). As root it runs under an unprivileged
uid of its own with no capabilities, so its resource limits count that sandbox only.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pglab.sandbox.settings import Sandbox

HOME = "/home/student"
WORK = f"{HOME}/work"
SUBMISSION = "/run/pglab/submission"
MPLCONFIGDIR = f"{HOME}/.config/matplotlib"
# Mounted read-only when present: fontconfig's configuration (matplotlib asks for it).
SYSTEM_FILES = ("/etc/fonts",)
# Top-level links of a merged-/usr system; mirrored as links, or bound if real directories.
USR_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


class SandboxConfigError(ValueError):
    """The sandbox would expose something it must not, or cannot run the kernel."""


@dataclass(frozen=True)
class Layout:
    """What one kernel's sandbox is made of (host paths)."""

    submission: Path  # the submission's directory, copied into the sandbox
    scratch: Path  # connection file and IPC sockets; bound read-write at the same path
    read_only: Sequence[Path]  # mounted read-only at the same path
    hidden: Sequence[Path] = ()  # inside a read-only mount, but replaced by an empty dir
    uid: int | None = None  # drop to this uid/gid (grading as root); None: keep the caller's
    env: Mapping[str, str] = field(default_factory=dict)
    font_list: Path | None = None  # matplotlib's prebuilt font list, bound read-only


def python_paths() -> list[Path]:
    """The environment running the grader: the kernel is started from it."""
    import sys

    found = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return sorted(found)


def _inside(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def validate(layout: Layout, kernel_cmd: Sequence[str]) -> None:
    """Refuse layouts that would show the course to the kernel or cannot start it."""
    submission = layout.submission.resolve()
    for path in layout.read_only:
        if path == Path("/"):
            raise SandboxConfigError("the sandbox must not mount / (the whole machine)")
        if _inside(submission, path):
            raise SandboxConfigError(
                f"the sandbox would mount {path} read-only, which contains the submission "
                f"{submission} and so the course directory; remove it from "
                "Sandbox.read_only_paths, or keep the Python environment outside the course"
            )
    if not kernel_cmd:
        raise SandboxConfigError("the kernel command is empty")
    interpreter = Path(kernel_cmd[0])
    if not interpreter.is_absolute():
        raise SandboxConfigError(
            f"the kernel command starts with {kernel_cmd[0]!r}, not an absolute path; the "
            "sandbox has no PATH to search. Use an absolute interpreter in the kernelspec."
        )
    mounted = [Path("/usr"), *layout.read_only]
    for candidate in (interpreter, interpreter.resolve()):
        if not any(_inside(candidate, m) for m in mounted):
            raise SandboxConfigError(
                f"the kernel interpreter {candidate} is outside the sandbox's read-only "
                f"paths ({', '.join(map(str, mounted))}); add its prefix to "
                "c.Sandbox.read_only_paths"
            )


def launcher_script(settings: Sandbox, uid: int | None) -> str:
    """The shell step inside the sandbox: copy the submission, set limits, drop privileges."""
    limits = [
        f"--nofile={settings.open_files_limit}:{settings.open_files_limit}",
        "--core=0",
    ]
    if settings.memory_limit:
        limits.append(f"--as={settings.memory_limit}")
    if settings.process_limit:
        limits.append(f"--nproc={settings.process_limit}")
    if settings.file_size_limit:
        limits.append(f"--fsize={settings.file_size_limit}")
    steps = ["set -e", f"mkdir -p {WORK} {MPLCONFIGDIR}", f"cp -R {SUBMISSION}/. {WORK}/"]
    drop = ""
    if uid is not None:  # not -R on HOME: the font list bound in it is read-only
        steps.append(f"chown -R {uid}:{uid} {WORK}")
        steps.append(f"chown {uid}:{uid} {HOME} {HOME}/.config {MPLCONFIGDIR}")
        drop = (
            f"setpriv --reuid={uid} --regid={uid} --clear-groups --inh-caps=-all "
            "--bounding-set=-all --no-new-privs -- "
        )
    steps.append(f"cd {WORK}")
    steps.append(f'exec prlimit {" ".join(limits)} -- {drop}"$@"')
    return "; ".join(steps)


def usr_mounts() -> list[str]:
    """bwrap arguments that mount the host's ``/usr`` read-only, and ``/bin``, ``/lib``... as
    the host has them (links into ``/usr`` or directories)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for link in USR_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    return args


def _parent_dirs(path: Path, mounted: Sequence[Path]) -> list[str]:
    """Create ``path``'s missing ancestors world-searchable (bwrap would make them 0700).

    ``mounted``: mount points so far; an ancestor that is one, or lies in a read-only one
    (anything but the tmpfs /tmp and home), already exists.
    """
    writable = (Path("/tmp"), Path(HOME))
    args = []
    for parent in reversed(path.parents):
        if parent == Path("/") or parent in mounted:
            continue
        if any(_inside(parent, m) for m in mounted if m not in writable):
            continue
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


def bwrap_args(settings: Sandbox, layout: Layout, kernel_cmd: Sequence[str]) -> list[str]:
    """bwrap's arguments (without the executable) to run ``kernel_cmd`` in the sandbox."""
    validate(layout, kernel_cmd)
    args = [
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "pglab-sandbox",
        "--die-with-parent",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
    ]
    if layout.uid is None:
        # Unprivileged bubblewrap works in a user namespace; forbid nested ones.
        args += ["--unshare-user", "--disable-userns"]
    args += ["--perms", "1777", "--size", str(settings.tmp_size), "--tmpfs", "/tmp"]
    args += ["--perms", "0755", "--size", str(settings.home_size), "--tmpfs", HOME]
    args += usr_mounts()
    mounted = [Path("/tmp"), Path(HOME), Path("/usr"), Path("/proc"), Path("/dev")]
    for path in sorted({p for p in layout.read_only if not _inside(p, Path("/usr"))}):
        args += _parent_dirs(path, mounted)
        args += ["--ro-bind", str(path), str(path)]
        mounted.append(path)
    for path in SYSTEM_FILES:
        if os.path.exists(path):
            args += _parent_dirs(Path(path), mounted)
            args += ["--ro-bind", path, path]
    for path in sorted(layout.hidden):
        if any(_inside(path, m) for m in (Path("/usr"), *layout.read_only)):
            args += ["--tmpfs", str(path), "--remount-ro", str(path)]
    if layout.font_list is not None:
        args += ["--ro-bind", str(layout.font_list), f"{MPLCONFIGDIR}/{layout.font_list.name}"]
    args += ["--ro-bind", str(layout.submission), SUBMISSION]
    args += _parent_dirs(layout.scratch, mounted)
    args += ["--bind", str(layout.scratch), str(layout.scratch)]
    # Nothing else is writable: bwrap's own root and /dev are tmpfs without a size (writable
    # by the kernel when it keeps the caller's uid in a user namespace): make them read-only.
    args += ["--remount-ro", "/", "--remount-ro", "/dev"]
    args += ["--chdir", HOME, "--clearenv"]
    for name, value in sorted(layout.env.items()):
        args += ["--setenv", name, value]
    args += ["--", "/bin/sh", "-c", launcher_script(settings, layout.uid), "pglab-sandbox"]
    return args + list(kernel_cmd)


def kernel_env(settings: Sandbox, host_env: Mapping[str, str], python_bin: Path) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's but ``Sandbox.pass_env``."""
    env = {
        "HOME": HOME,
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": MPLCONFIGDIR,
        # glibc reserves 64 MiB of address space per thread arena; keep RLIMIT_AS for data.
        "MALLOC_ARENA_MAX": "2",
        # One compute thread: OpenMP (PyTorch's intra-op pool), OpenBLAS (numpy) and MKL
        # otherwise start one thread per core, and on a machine with 32 cores or more a
        # PyTorch backward() needs more threads than Sandbox.process_limit allows: libgomp
        # aborts the kernel ("Thread creation failed"). Grading runs one kernel per core
        # anyway, on tiny arrays. An instructor can pass other values through pass_env.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for name in settings.pass_env:
        if name in host_env:
            env[name] = host_env[name]
    return env


def describe(argv: Sequence[str]) -> str:
    """The command as a shell line, for logs."""
    return " ".join(shlex.quote(a) for a in argv)
