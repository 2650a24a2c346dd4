"""Names the test modules share (import them from here: with tests/browser/conftest.py
beside tests/conftest.py, ``from conftest import ...`` is ambiguous)."""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
ASSIGNMENT = "reinforce"


def corpus_files(kind: str) -> list[Path]:
    """The corpus files of one kind (mutants, correct, attacks), one submission each."""
    return sorted((CORPUS / kind).glob("*.py"))


def student_id(path: Path) -> str:
    return f"{path.parent.name}-{path.stem}"
