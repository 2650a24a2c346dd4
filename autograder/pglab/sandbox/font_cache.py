"""matplotlib's font list, built once by the grader and shown read-only to every sandbox.

A sandbox starts with an empty home, so ``import matplotlib.pyplot`` would rebuild the font
list in every kernel (a quarter of a second here, most of the sandbox's overhead). The grader
builds it once per Python environment, outside any sandbox, with the kernel's own
interpreter, in a directory only it can write; each sandbox gets the one file bound
read-only into its matplotlib cache directory. It carries only font file paths, and no
sandbox can write it, so it is no channel between students.

Asking the interpreter where its font list is costs a Python start with matplotlib (half a
CPU-second) in every grading process. When the kernel runs the grader's own interpreter,
whose matplotlib version the grader can read without importing it, the answer is kept next
to the list (``BUILT``) under a key that includes that version, and later processes read it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

PRINT_PATH = (
    "import pathlib, matplotlib, matplotlib.font_manager as fm; "
    "print(pathlib.Path(matplotlib.get_cachedir(), "
    "f'fontlist-v{fm.FontManager.__version__}.json'))"
)
#: In a key's folder: the name of the font list built there, for later grading processes.
BUILT = "built"
_built: dict[str, Path | None] = {}


def _key(interpreter: str) -> tuple[str, bool]:
    """The cache key of ``interpreter``'s font list, and whether a built list may be reused
    without asking the interpreter again (it is the grader's own, so its matplotlib version
    is in the key)."""
    real = os.path.realpath(interpreter)
    parts = [real, str(os.stat(real).st_mtime_ns)]
    own = os.path.abspath(interpreter) == os.path.abspath(sys.executable)
    if own:
        try:
            version = metadata.version("matplotlib")
        except metadata.PackageNotFoundError:
            version = "none"
        parts += [os.path.abspath(interpreter), f"matplotlib {version}"]
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:16], own


def font_list(interpreter: str) -> Path | None:
    """The font list file for ``interpreter``'s matplotlib (built if needed), or None when
    it cannot be built (no matplotlib, an unsafe cache directory): kernels then build their
    own, as without the sandbox."""
    if interpreter in _built:
        return _built[interpreter]
    result = None
    try:
        key, reusable = _key(interpreter)
        root = Path(tempfile.gettempdir()) / f"pglab-sandbox-fonts-{os.geteuid()}"
        root.mkdir(mode=0o700, exist_ok=True)
        info = root.lstat()
        if info.st_uid != os.geteuid() or info.st_mode & 0o022 or root.is_symlink():
            raise PermissionError(f"{root} is not a private directory")
        folder = root / key
        folder.mkdir(mode=0o755, exist_ok=True)
        with open(root / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            recorded = _recorded(folder) if reusable else None
            path = recorded or _ask(interpreter, folder)
            if path and path.is_file() and path.parent == folder:
                path.chmod(0o644)
                result = path
                if reusable and recorded is None:
                    (folder / BUILT).write_text(path.name)
    except (OSError, subprocess.SubprocessError, IndexError):
        result = None
    _built[interpreter] = result
    return result


def _ask(interpreter: str, folder: Path) -> Path | None:
    """Where ``interpreter``'s matplotlib keeps its font list with ``folder`` as its cache
    (building the list there if it is missing)."""
    env = {"PATH": os.defpath, "MPLCONFIGDIR": str(folder), "HOME": str(folder)}
    done = subprocess.run(
        [interpreter, "-c", PRINT_PATH], env=env, capture_output=True, text=True, timeout=120
    )
    return Path(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None


def _recorded(folder: Path) -> Path | None:
    """The font list an earlier process built in ``folder``, if it is still there."""
    try:
        name = (folder / BUILT).read_text().strip()
    except OSError:
        return None
    path = folder / name
    if name and "/" not in name and path.is_file() and not path.is_symlink():
        return path
    return None
