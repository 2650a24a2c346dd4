"""pglab: auto-graded policy-gradient exercises on nbgrader."""

import atexit
import gc
from importlib import metadata as _metadata

try:
    #: the installed distribution's version (pyproject.toml), not a copy kept here
    __version__ = _metadata.version("pglab")
except _metadata.PackageNotFoundError:  # a source tree that was never pip-installed
    __version__ = "0+unknown"


def _freeze_at_exit() -> None:
    """Every nbgrader command in the course (through ``nbgrader_config.py``), every ``pglab``
    command and every grading worker imports pglab, and with it nbgrader, nbconvert and
    SQLAlchemy: about 1,500 modules. At exit the interpreter clears those modules and runs
    the cyclic garbage collector over everything they held: about half a
    CPU-second in every such process, to free memory the process is about to give back.
    Frozen objects are skipped. ``atexit`` hooks still run (they run before the modules are
    cleared), and objects that are not in a reference cycle are still released as before."""
    gc.freeze()


atexit.register(_freeze_at_exit)
