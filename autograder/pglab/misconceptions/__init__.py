"""Known mistakes per assignment, as data (one module per assignment).

Each entry imitates one mistake: given the same arguments as the student function it
affects, ``imitate`` returns what a student who made that mistake would return.  The
grader recognises a mistake when the student's outputs match its imitation on every
checked call, and then shows its feedback sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Misconception:
    id: str
    function: str
    feedback: str
    imitate: Callable[..., object]
