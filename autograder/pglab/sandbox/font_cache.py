"""matplotlib's font list, built once by the grader and shown read-only to every sandbox.

A sandbox starts with an empty home, so ``import matplotlib.pyplot`` would rebuild the font
list in every kernel (a quarter of a second here, most of the sandbox's overhead). The grader
builds it once per Python environment, outside any sandbox, with the kernel's own
interpreter, in a directory only it can write; each sandbox gets the one file bound
read-only into its matplotlib cache directory. It carries only font file paths, and no
sandbox can write it, so it is no channel between students.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

PRINT_PATH = (
    "import pathlib, matplotlib, matplotlib.font_manager as fm; "
    "print(pathlib.Path(matplotlib.get_cachedir(), "
    "f'fontlist-v{fm.FontManager.__version__}.json'))"
)
_built: dict[str, Path | None] = {}


def font_list(interpreter: str) -> Path | None:
    """The font list file for ``interpreter``'s matplotlib (built if needed), or None when
    it cannot be built (no matplotlib, an unsafe cache directory): kernels then build their
    own, as without the sandbox."""
    if interpreter in _built:
        return _built[interpreter]
    real = os.path.realpath(interpreter)
    key = hashlib.sha256(f"{real}:{os.stat(real).st_mtime_ns}".encode()).hexdigest()[:16]
    root = Path(tempfile.gettempdir()) / f"pglab-sandbox-fonts-{os.geteuid()}"
    result = None
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        info = root.lstat()
        if info.st_uid != os.geteuid() or info.st_mode & 0o022 or root.is_symlink():
            raise PermissionError(f"{root} is not a private directory")
        folder = root / key
        folder.mkdir(mode=0o755, exist_ok=True)
        with open(root / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            env = {"PATH": os.defpath, "MPLCONFIGDIR": str(folder), "HOME": str(folder)}
            done = subprocess.run(
                [interpreter, "-c", PRINT_PATH], env=env, capture_output=True, text=True,
                timeout=120,
            )  # fmt: skip
            path = Path(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
            if path and path.is_file() and path.parent == folder:
                path.chmod(0o644)
                result = path
    except (OSError, subprocess.SubprocessError, IndexError):
        result = None
    _built[interpreter] = result
    return result
