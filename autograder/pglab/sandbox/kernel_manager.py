"""A jupyter_client kernel manager that starts every kernel inside its bubblewrap sandbox.

nbclient (and so nbgrader's ``Execute``) creates one manager per notebook and calls
``start_kernel(cwd=<the submission's directory>)``. This manager:

1. makes a scratch directory with the connection file and the kernel's IPC sockets (Unix
   sockets, ``transport = "ipc"``: the kernel needs no network, so it gets none), on a
   size-capped tmpfs of its own when grading as root (``scratch.py``);
2. leases an unprivileged uid when running as root (``uids.py``);
3. launches ``bwrap`` with the arguments from ``command.py``, passed through a pipe
   (``--args FD``) so the sandbox's ``/proc/1/cmdline`` shows only the kernel command, with an
   almost empty environment, stdout discarded and stderr in a file outside the sandbox;
4. puts the whole sandbox in a cgroup of its own (``cgroup.py``: total memory and processes)
   before bwrap starts;
5. on cleanup, kills what is left in the cgroup and removes it, the scratch directory and the
   uid lease.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pglab
from pglab.sandbox import cgroup, scratch
from pglab.sandbox.availability import require
from pglab.sandbox.command import Layout, bwrap_args, describe, kernel_env, python_paths
from pglab.sandbox.font_cache import font_list
from pglab.sandbox.messages import BoundedKernelManager
from pglab.sandbox.settings import Sandbox
from pglab.sandbox.uids import UidLease

STDERR_SHOWN = 4000  # characters of the kernel's stderr quoted when it fails
_cgroup_warned = False
_scratch_warned = False


def package_dirs(names) -> list[Path]:
    """The directories of the packages ``names`` in the grader's environment (found, not
    imported); names that are not installed packages are left out."""
    found = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.submodule_search_locations:
            found += [Path(location).resolve() for location in spec.submodule_search_locations]
    return found


class NoCgroup(RuntimeError):
    """c.Sandbox.cgroup = 'require', and no cgroup could be made for the kernel."""


class SandboxKernelManager(BoundedKernelManager):
    """An ``AsyncKernelManager`` whose kernels run in bubblewrap (settings: ``c.Sandbox``) and
    whose clients size messages before parsing them (``messages.py``)."""

    _scratch: Path | None = None
    _lease: UidLease | None = None
    _submission: Path | None = None
    _cgroup: cgroup.KernelCgroup | None = None
    peak_memory: int | None = None  # most memory the last sandbox used at once (cgroup)

    last_stderr = ""  # what the kernel wrote to stderr, kept after cleanup for error messages

    @property
    def settings(self) -> Sandbox:
        return Sandbox(config=self.config)

    async def _async_start_kernel(self, **kw):
        try:
            await super()._async_start_kernel(**kw)
        except BaseException:
            self._release()
            raise

    async def _async_pre_start_kernel(self, **kw):
        settings = self.settings
        require(settings.bwrap)
        self._release()
        cwd = kw.pop("cwd", None)
        root = Path(settings.scratch_root or tempfile.gettempdir())
        scratch.sweep(root)
        self._scratch = Path(tempfile.mkdtemp(prefix=scratch.new_name(), dir=root))
        self._mount_scratch(settings)
        ipc = self._scratch / "ipc"
        ipc.mkdir()
        if cwd is None:  # never the grader's own directory: an empty submission instead
            (self._scratch / "empty").mkdir()
            cwd = self._scratch / "empty"
        self._submission = Path(cwd).resolve()
        if os.geteuid() == 0:
            self._lease = UidLease(
                Path(tempfile.gettempdir()) / "pglab-sandbox-uids",
                settings.uid_base,
                settings.uid_count,
            )
            os.chown(ipc, self._lease.uid, self._lease.uid)
        # Interrupt by message (the kernel signals itself): a SIGINT to the process group
        # would stop bwrap, and with it the whole sandbox.
        self.kernel_spec.interrupt_mode = "message"
        self.transport = "ipc"
        self.ip = str(ipc / "k")
        self.connection_file = str(ipc / "kernel.json")
        kw["cwd"] = str(self._scratch)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        settings = self.settings
        assert self._scratch is not None and self._submission is not None
        uid = self._lease.uid if self._lease else None
        if uid is not None:
            os.chown(self.connection_file, uid, uid)
        layout = Layout(
            submission=self._submission,
            scratch=self._scratch / "ipc",
            read_only=[*python_paths(), *(Path(p).resolve() for p in settings.read_only_paths)],
            hidden=[Path(pglab.__file__).resolve().parent, *package_dirs(settings.hidden_packages)],
            uid=uid,
            env=kernel_env(settings, kw.get("env") or os.environ, Path(kernel_cmd[0]).parent),
            font_list=font_list(kernel_cmd[0]),
        )
        args = bwrap_args(settings, layout, kernel_cmd)
        self.log.debug("sandboxed kernel: %s %s", settings.bwrap, describe(args))
        # bwrap reads options from --args FD but the command must stay on its command line.
        split = args.index("--")
        options, command = args[:split], args[split:]
        payload = b"".join(a.encode() + b"\0" for a in options)
        if len(payload) > 60_000:  # a pipe holds 64 KiB; bwrap reads it only after launch
            raise ValueError(f"bwrap arguments too long ({len(payload)} bytes)")
        read_end, write_end = os.pipe()
        try:
            os.write(write_end, payload)
            os.close(write_end)
            kw["pass_fds"] = (read_end,)
            kw["env"] = {"PATH": os.defpath}  # bwrap's own environment, seen in /proc/1/environ
            kw["stdout"] = subprocess.DEVNULL
            kw["stderr"] = open(self._scratch / "stderr.log", "wb")  # noqa: SIM115
            bwrap = shutil.which(settings.bwrap) or settings.bwrap
            argv = [bwrap, "--args", str(read_end), *command]
            self._cgroup = self._make_cgroup(settings)
            if self._cgroup is not None:
                argv = self._cgroup.wrap(argv)
            try:
                await super()._async_launch_kernel(argv, **kw)
            finally:
                kw["stderr"].close()
        finally:
            os.close(read_end)

    def _mount_scratch(self, settings: Sandbox) -> None:
        global _scratch_warned
        assert self._scratch is not None
        why = "not grading as root" if os.geteuid() != 0 else None
        if why is None and settings.scratch_size:
            why = scratch.mount_tmpfs(self._scratch, settings.scratch_size)
        if why and not _scratch_warned:
            _scratch_warned = True
            self.log.warning(
                "the kernel's scratch directory (connection file, sockets, stderr) is on the "
                "host's file system, not a size-capped tmpfs (%s); only RLIMIT_FSIZE bounds "
                "each file there: set c.Sandbox.scratch_root to a small file system",
                why,
            )

    def _make_cgroup(self, settings: Sandbox) -> cgroup.KernelCgroup | None:
        global _cgroup_warned
        if settings.cgroup == "off":
            return None
        made, why = cgroup.create(settings.total_memory_limit, settings.process_limit)
        if made is None:
            if settings.cgroup == "require":
                raise NoCgroup(
                    f"c.Sandbox.cgroup = 'require', but no cgroup can limit the sandbox: {why}"
                )
            if not _cgroup_warned:
                _cgroup_warned = True
                self.log.warning(
                    "no cgroup for the sandbox (%s): its memory and processes are limited per "
                    "process only (c.Sandbox.memory_limit, process_limit)",
                    why,
                )
        return made

    def kernel_stderr(self) -> str:
        """The start of what the sandboxed kernel (or bwrap) wrote to stderr."""
        if self._scratch is None:
            return self.last_stderr
        try:
            with open(self._scratch / "stderr.log", errors="replace") as log:
                return log.read(STDERR_SHOWN)
        except OSError:
            return ""

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._release()

    def _release(self) -> None:
        if self._cgroup is not None:
            self.peak_memory = self._cgroup.peak_memory()
            if not self._cgroup.remove():
                self.log.warning("could not remove the sandbox's cgroup %s", self._cgroup)
            self._cgroup = None
        if self._scratch is not None:
            self.last_stderr = self.kernel_stderr()
            if scratch.is_mount(self._scratch):
                try:
                    scratch.unmount(self._scratch)
                except OSError as error:
                    self.log.warning("could not unmount %s: %s", self._scratch, error)
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        if self._lease is not None:
            self._lease.release()
            self._lease = None
