"""One cgroup per kernel: a limit on the sandbox's TOTAL memory and on its processes.

The rlimits set inside the sandbox are per process (``RLIMIT_AS``) or per uid
(``RLIMIT_NPROC``): eight processes of 1.5 GiB each pass a 2 GiB ``RLIMIT_AS``. A cgroup
counts them together, and counts the sandbox's tmpfs files too (shared memory is charged to
the cgroup that wrote it).

Where the kernel goes: a new child of the grader's own cgroup (so whatever limits the grader
keeps limiting its kernels too), named ``pglab-kernel-<grader pid>-<n>``:

- cgroup v2 (a ``cgroup2`` mount whose root lists ``memory`` and ``pids`` among
  ``cgroup.controllers``): ``memory.max``, ``memory.swap.max = 0``, ``pids.max``; the
  controllers are enabled in the grader's cgroup's ``cgroup.subtree_control`` (refused by
  the kernel when that cgroup holds processes and is not the root: then v1 or nothing);
- cgroup v1 (separate ``memory`` and ``pids`` hierarchies, as on a hybrid layout):
  ``memory.limit_in_bytes`` (and ``memory.memsw.limit_in_bytes`` with swap accounting) in
  the memory hierarchy, ``pids.max`` in the pids one;
- neither writable (grading as a normal user without a delegated cgroup): no cgroup; the
  per-process rlimits still apply, and the reason is logged once.

The kernel joins its cgroup before bwrap starts (``wrap``: a shell writes its own pid into
``cgroup.procs``, then execs bwrap), so every process of the sandbox is inside it from the
first. ``remove`` kills what is left and deletes the cgroup.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")
OWN_CGROUP = Path("/proc/self/cgroup")
PREFIX = "pglab-kernel-"
_counter = itertools.count()
_live: set[Path] = set()  # this process's kernel cgroups not yet removed


@dataclass
class Hierarchy:
    version: int  # 1 or 2
    mount: Path  # where the hierarchy is mounted
    own: Path  # the grader's own cgroup in it (a directory under mount)
    controllers: frozenset[str] = field(default_factory=frozenset)


def hierarchies(mountinfo: str, own_cgroups: str, root: Path = Path("/")) -> list[Hierarchy]:
    """The cgroup hierarchies mounted here, each with the grader's own cgroup in it.

    ``mountinfo`` and ``own_cgroups`` are the text of /proc/self/mountinfo and
    /proc/self/cgroup; ``root`` prefixes every path (tests use a fake tree)."""
    own: dict[str, str] = {}  # controller list ("" for v2) -> path
    for line in own_cgroups.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            own[parts[1]] = parts[2]
    found = []
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3 or tail[0] not in ("cgroup", "cgroup2"):
            continue
        mount_root, mount_point = fields[3], fields[4]
        if tail[0] == "cgroup2":
            key, version, controllers = "", 2, frozenset()
        else:
            options = tail[2].split(",")
            names = [o for o in options if o in ("memory", "pids")]
            if not names:
                continue
            key = next((k for k in own if set(names) <= set(k.split(","))), None)
            if key is None:
                continue
            version, controllers = 1, frozenset(names)
        path = own.get(key)
        if path is None:
            continue
        relative = os.path.relpath(path, mount_root) if path.startswith(mount_root) else "."
        mount = root / mount_point.lstrip("/")
        own_dir = (mount / relative).resolve() if relative != "." else mount
        if version == 2:
            try:
                listed = (mount / "cgroup.controllers").read_text().split()
            except OSError:
                continue
            controllers = frozenset(listed) & {"memory", "pids"}
        found.append(Hierarchy(version, mount, own_dir, controllers))
    return found


class KernelCgroup:
    """The cgroup directories of one kernel (one for v2; a memory and a pids one for v1)."""

    def __init__(self, version: int, directories: list[Path]):
        self.version = version
        self.directories = directories

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` run so that its first process is already in the cgroup."""
        procs = [str(d / "cgroup.procs") for d in self.directories]
        script = (
            'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; '
            'n=$((n-1)); done; exec "$@"'
        )
        return ["/bin/sh", "-c", script, "pglab-cgroup", str(len(procs)), *procs, *argv]

    def peak_memory(self) -> int | None:
        """Most memory the sandbox used at once, in bytes, if the kernel reports it."""
        for directory in self.directories:
            for name in ("memory.peak", "memory.max_usage_in_bytes"):
                try:
                    return int((directory / name).read_text())
                except (OSError, ValueError):
                    continue
        return None

    def remove(self, wait: float = 2.0) -> bool:
        """Kill whatever still runs in the cgroup and delete it; True when it is gone."""
        deadline = time.monotonic() + wait
        for directory in self.directories:
            while directory.exists():
                if self.version == 2 and (directory / "cgroup.kill").exists():
                    try:
                        (directory / "cgroup.kill").write_text("1")
                    except OSError:
                        pass
                try:
                    pids = (directory / "cgroup.procs").read_text().split()
                except OSError:
                    pids = []
                for pid in pids:
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except (OSError, ValueError):
                        pass
                try:
                    directory.rmdir()
                    _live.discard(directory)
                except FileNotFoundError:
                    _live.discard(directory)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(0.05)
        return True


def _sweep(parent: Path) -> None:
    """Delete empty kernel cgroups left by graders that were killed, or by this one when a
    sandbox's last processes took longer to exit than ``remove`` waited (rmdir refuses a
    cgroup that still holds processes, so nothing running is touched)."""
    try:
        children = list(parent.glob(f"{PREFIX}*"))
    except OSError:
        return
    for child in children:
        try:
            pid = int(child.name[len(PREFIX) :].split("-")[0])
        except ValueError:
            continue
        if child in _live or (pid != os.getpid() and Path(f"/proc/{pid}").exists()):
            continue
        try:
            child.rmdir()
        except OSError:
            pass


def create(memory: int, processes: int, root: Path = Path("/")) -> tuple[KernelCgroup | None, str]:
    """A new cgroup limited to ``memory`` bytes (0: unlimited) and ``processes`` tasks (0:
    unlimited), or None and why not."""
    try:
        found = hierarchies(
            (root / str(MOUNTINFO).lstrip("/")).read_text(),
            (root / str(OWN_CGROUP).lstrip("/")).read_text(),
            root,
        )
    except OSError as error:
        return None, f"cannot read the cgroup layout ({error})"
    name = f"{PREFIX}{os.getpid()}-{next(_counter)}"
    wanted = {"memory"} if memory else set()
    wanted |= {"pids"} if processes else set()
    if not wanted:
        return None, "no total memory or process limit is set"
    reasons = []
    for hierarchy in (h for h in found if h.version == 2):
        if not wanted <= hierarchy.controllers:
            reasons.append(f"cgroup v2 at {hierarchy.mount} has no {' or '.join(sorted(wanted))}")
            continue
        made = None
        try:
            enabled = (hierarchy.own / "cgroup.subtree_control").read_text().split()
            missing = [c for c in sorted(wanted) if c not in enabled]
            if missing:
                (hierarchy.own / "cgroup.subtree_control").write_text(
                    " ".join(f"+{c}" for c in missing)
                )
            _sweep(hierarchy.own)
            made = hierarchy.own / name
            made.mkdir()
            _live.add(made)
            if memory:
                (made / "memory.max").write_text(str(memory))
                if (made / "memory.swap.max").exists():
                    (made / "memory.swap.max").write_text("0")
            if processes:
                (made / "pids.max").write_text(str(processes))
        except OSError as error:
            reasons.append(f"cgroup v2 at {hierarchy.own}: {error.strerror or error}")
            if made is not None:
                KernelCgroup(2, [made]).remove(wait=0)
            continue
        return KernelCgroup(2, [made]), ""
    v1 = {c: h for h in found if h.version == 1 for c in h.controllers}
    if wanted <= set(v1):
        made_dirs: list[Path] = []
        try:
            for controller in sorted(wanted):
                parent = v1[controller].own
                _sweep(parent)
                directory = parent / name
                directory.mkdir()
                _live.add(directory)
                made_dirs.append(directory)
                if controller == "memory":
                    (directory / "memory.limit_in_bytes").write_text(str(memory))
                    if (directory / "memory.memsw.limit_in_bytes").exists():
                        (directory / "memory.memsw.limit_in_bytes").write_text(str(memory))
                    if (directory / "memory.swappiness").exists():
                        try:
                            (directory / "memory.swappiness").write_text("0")
                        except OSError:
                            pass
                else:
                    (directory / "pids.max").write_text(str(processes))
        except OSError as error:
            KernelCgroup(1, made_dirs).remove(wait=0)
            reasons.append(f"cgroup v1: {error.strerror or error}")
        else:
            return KernelCgroup(1, made_dirs), ""
    else:
        reasons.append(f"cgroup v1 has no {' or '.join(sorted(wanted - set(v1)))} hierarchy")
    return None, "; ".join(reasons)
