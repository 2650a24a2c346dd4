"""Can bubblewrap make a sandbox on this machine? If not, say what to install or change."""

from __future__ import annotations

import shutil
import subprocess

from pglab.sandbox.command import usr_mounts

INSTALL_HINT = (
    "Install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`) and grade again. To grade "
    "without a sandbox anyway (student code then runs as you and can read source/ and change "
    "the gradebook), set `c.Sandbox.enabled = False` in nbgrader_config.py "
    "(`pglab grade --unsafe-no-sandbox` for one run)."
)

#: bwrap command -> the answer this process keeps for it. Only a pass is stored here: a
#: failure is checked again at the next submission, so that a fault that passes costs one
#: submission, not a worker's. (tests/test_cluster.py stores a failure in a worker's preload
#: to play a machine without bubblewrap; it is answered like any kept answer.)
_checked: dict[str, str | None] = {}


class SandboxUnavailable(RuntimeError):
    """Grading refuses to run student code: the sandbox cannot be made here."""


def probe_command(bwrap: str) -> list[str]:
    """The namespaces and mounts of a kernel's sandbox, running ``true``.

    It mounts from the host only what the sandbox does (``/usr`` and its links), never the
    host's root: that would take in every mount under it, and the scratch tmpfs of other
    kernels (``pglab.sandbox.scratch``) come and go at any time. bwrap re-mounts each
    of them read-only; one that had just gone made the check fail (``remount
    /newroot/tmp/pglab-kernel-...: Invalid argument``), and the grading process that
    checked it then refused every submission it had left."""
    return [
        bwrap,
        *usr_mounts(),
        "--unshare-pid", "--unshare-net", "--unshare-ipc",
        "--proc", "/proc", "--dev", "/dev",
        "--die-with-parent",
        "true",
    ]  # fmt: skip


def problem(bwrap: str) -> str | None:
    """None if ``bwrap`` can make the namespaces the sandbox uses, else what is wrong."""
    if bwrap in _checked:
        return _checked[bwrap]
    found = shutil.which(bwrap)
    if found is None:
        result = f"bubblewrap (`{bwrap}`) is not installed or not on PATH."
    else:
        probe = probe_command(found)
        try:
            done = subprocess.run(probe, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as error:
            result = f"`{found}` could not run: {error}."
        else:
            result = None
            if done.returncode != 0:
                result = (
                    f"`{found}` cannot create the sandbox's namespaces here "
                    f"(exit {done.returncode}: {done.stderr.strip() or 'no message'}). "
                    "Unprivileged user namespaces may be disabled (sysctl "
                    "kernel.unprivileged_userns_clone, or AppArmor's "
                    "kernel.apparmor_restrict_unprivileged_userns on Ubuntu): grade as root, "
                    "or allow them."
                )
    if result is None:
        _checked[bwrap] = result
    return result


def require(bwrap: str) -> None:
    """Raise ``SandboxUnavailable`` with the fix if bubblewrap cannot run here."""
    found = problem(bwrap)
    if found:
        raise SandboxUnavailable(f"pglab cannot sandbox student code: {found} {INSTALL_HINT}")
