"""What ``pglab grade`` shows while it grades: tqdm's bar on a terminal, one line per notebook
elsewhere.

A bar is redrawn in place with carriage returns; in a log file, a CI job or a batch job's
output those become one unreadable line. There each finished notebook gets a line of its own
instead, with the same count and the same words.
"""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm


class LineProgress:
    """tqdm's ``update`` and ``set_postfix_str`` (called in that order for each finished
    notebook, pglab.pipeline.run) as one printed line each: ``grading reinforce: 3/9 ann:
    graded``."""

    def __init__(self, total: int, desc: str, file: TextIO):
        self.total, self.desc, self.file, self.done = total, desc, file, 0

    def update(self, n: int = 1) -> None:
        self.done += n

    def set_postfix_str(self, text: str) -> None:
        print(f"{self.desc}: {self.done}/{self.total} {text}", file=self.file, flush=True)

    def close(self) -> None:
        pass


def progress(total: int, desc: str, enabled: bool = True, file: TextIO | None = None):
    """A progress display for ``total`` notebooks on ``file`` (standard error by default):
    tqdm's bar where it is a terminal, :class:`LineProgress` where it is not, nothing when
    not ``enabled``."""
    file = sys.stderr if file is None else file
    if enabled and not (hasattr(file, "isatty") and file.isatty()):
        return LineProgress(total, desc, file)
    return tqdm(total=total, unit="notebook", desc=desc, disable=not enabled, file=file)
