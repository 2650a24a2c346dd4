"""The sandbox's settings: one traitlets ``Configurable``, set from ``nbgrader_config.py``.

Every notebook kernel started during ``nbgrader autograde`` runs under these settings
(``c.Sandbox.memory_limit = ...`` and so on). ``docs/sandbox.md`` explains each limit and
what it does not cover.
"""

from __future__ import annotations

from traitlets import Bool, Enum, Integer, List, TraitError, Unicode, validate
from traitlets.config import Configurable

MiB = 1024 * 1024
GiB = 1024 * MiB


class Sandbox(Configurable):
    """How student kernels are isolated: bubblewrap namespaces, mounts and resource limits."""

    enabled = Bool(
        True,
        help="Run every autograde kernel inside bubblewrap (bwrap). Setting this to False "
        "runs student code UNSANDBOXED, as the grading user, with read and write access to "
        "source/, the gradebook and every other submission: only for a trusted class or to "
        "debug the sandbox itself. (`pglab grade --unsafe-no-sandbox` sets it for one run.)",
    ).tag(config=True)

    bwrap = Unicode(
        "bwrap",
        help="The bubblewrap executable: a name looked up on PATH or an absolute path. "
        "Debian/Ubuntu: `apt-get install bubblewrap`.",
    ).tag(config=True)

    memory_limit = Integer(
        2 * GiB,
        help="Address-space limit (RLIMIT_AS) of every process in the sandbox, in bytes; "
        "0 means no limit. An allocation beyond it raises MemoryError in the kernel. It is "
        "per process: the sandbox as a whole can use at most process_limit times this.",
    ).tag(config=True)

    total_memory_limit = Integer(
        2 * GiB,
        help="Memory of the whole sandbox (every process, and the files it writes to its "
        "tmpfs), in bytes, enforced by a cgroup of its own (see cgroup); 0 means no limit. "
        "Beyond it the kernel's out-of-memory killer ends the largest process of that "
        "sandbox (usually the kernel: its cell fails with KernelDied).",
    ).tag(config=True)

    cgroup = Enum(
        ["auto", "require", "off"],
        "auto",
        help="Put each sandbox in a cgroup of its own that enforces total_memory_limit and "
        "process_limit for the sandbox as a whole: cgroup v2 where its memory and pids "
        "controllers can be enabled below the grader's cgroup, else cgroup v1's memory and "
        "pids hierarchies (a hybrid layout), else (a normal user without a delegated cgroup) "
        "none. 'auto': use one where possible, else log why and rely on the per-process "
        "limits; 'require': refuse to start a kernel without one; 'off': never.",
    ).tag(config=True)

    process_limit = Integer(
        64,
        help="Most processes and threads the sandbox may run at once; 0 means no limit. An "
        "idle kernel with numpy uses about 10. Enforced by the sandbox's cgroup (pids.max, "
        "see cgroup) where there is one, and by RLIMIT_NPROC of the sandbox's own uid when "
        "grading as root (each sandbox gets its own uid) or as a user whose bubblewrap makes "
        "a user namespace (the count is per namespace).",
    ).tag(config=True)

    file_size_limit = Integer(
        256 * MiB,
        help="Largest file the sandbox may write (RLIMIT_FSIZE), in bytes; 0 means no limit.",
    ).tag(config=True)

    open_files_limit = Integer(
        1024,
        help="Most file descriptors one process in the sandbox may hold (RLIMIT_NOFILE).",
    ).tag(config=True)

    home_size = Integer(
        256 * MiB,
        help="Size of the sandbox's writable home (a tmpfs holding the working copy of the "
        "submission), in bytes. It is memory, so it counts against the machine's RAM.",
    ).tag(config=True)

    tmp_size = Integer(64 * MiB, help="Size of the sandbox's /tmp (a tmpfs), in bytes.").tag(
        config=True
    )

    uid_base = Integer(
        2_100_000_000,
        help="When grading as root, each running sandbox gets its own unprivileged uid "
        "(and gid) from uid_base to uid_base + uid_count - 1, so the process limit counts "
        "one sandbox only. Pick a range no real account or container uses.",
    ).tag(config=True)

    uid_count = Integer(1000, help="How many uids the sandboxes may use (see uid_base).").tag(
        config=True
    )

    read_only_paths = List(
        Unicode(),
        help="Extra host paths mounted read-only at the same place inside the sandbox, e.g. "
        "a data set the notebook reads. The Python environment running nbgrader (its prefix "
        "and base prefix) and /usr are always mounted. Never list the course directory.",
    ).tag(config=True)

    hidden_packages = List(
        Unicode(),
        default_value=["debugpy"],
        help="Python packages of the grader's environment that the kernel cannot see (each "
        "is replaced by an empty directory). debugpy: ipykernel imports it at start-up to "
        "offer a debugger no autograde run uses, about 0.1 s of every kernel's start; "
        "without it the kernel starts without a debugger.",
    ).tag(config=True)

    pass_env = List(
        Unicode(),
        default_value=["NBGRADER_EXECUTION"],
        help="Names of environment variables copied from the grader into the kernel; every "
        "other variable is dropped (the kernel gets HOME, PATH, LANG and these).",
    ).tag(config=True)

    scratch_size = Integer(
        4 * MiB,
        help="Size of the tmpfs holding each kernel's scratch directory (its connection "
        "file, Unix sockets and stderr log: the one place outside its own tmpfs the kernel "
        "can write), in bytes. Mounted only when grading as root; 0 means no tmpfs (the "
        "directory is then on the file system of scratch_root).",
    ).tag(config=True)

    scratch_root = Unicode(
        "",
        help="Where each kernel's scratch directory (its connection file and IPC sockets) "
        "is made; empty means the system temporary directory. Keep the path short: Unix "
        "socket paths are limited to 107 bytes.",
    ).tag(config=True)

    @validate(
        "memory_limit",
        "total_memory_limit",
        "process_limit",
        "file_size_limit",
        "home_size",
        "tmp_size",
        "scratch_size",
    )
    def _non_negative(self, proposal):
        if proposal["value"] < 0:
            raise TraitError(
                f"Sandbox.{proposal['trait'].name} must be >= 0 (0 means no limit), "
                f"got {proposal['value']}"
            )
        return proposal["value"]

    @validate("open_files_limit", "uid_count")
    def _positive(self, proposal):
        if proposal["value"] < 1:
            raise TraitError(
                f"Sandbox.{proposal['trait'].name} must be >= 1, got {proposal['value']}"
            )
        return proposal["value"]

    @validate("uid_base")
    def _valid_uid(self, proposal):
        if not 1000 <= proposal["value"] <= 4_000_000_000:
            raise TraitError(
                f"Sandbox.uid_base must be an unprivileged uid (1000 .. 4e9), got "
                f"{proposal['value']}"
            )
        return proposal["value"]
