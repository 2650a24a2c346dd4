"""pglab: auto-graded policy-gradient exercises on nbgrader."""

from importlib import metadata as _metadata

try:
    #: the installed distribution's version (pyproject.toml), not a copy kept here
    __version__ = _metadata.version("pglab")
except _metadata.PackageNotFoundError:  # a source tree that was never pip-installed
    __version__ = "0+unknown"
