"""Run student kernels in bubblewrap: no course files, no network, limited resources.

``SandboxKernelManager`` is what ``pglab.preprocessors.SandboxedExecute`` starts kernels with
during ``nbgrader autograde``; ``Sandbox`` holds the settings (``c.Sandbox.*``).
See docs/sandbox.md.
"""

from pglab.sandbox.availability import SandboxUnavailable, require
from pglab.sandbox.command import SandboxConfigError
from pglab.sandbox.kernel_manager import SandboxKernelManager
from pglab.sandbox.settings import Sandbox

__all__ = [
    "Sandbox",
    "SandboxConfigError",
    "SandboxKernelManager",
    "SandboxUnavailable",
    "require",
]
