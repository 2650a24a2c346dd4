"""The size a submitted file may have: checked by ``read_submission`` and, before any file
is read, by discovery (a zip entry's declared size: a zip bomb never unpacks)."""

from __future__ import annotations

#: Submissions larger than this are refused before parsing (outputs are cleared anyway).
MAX_SUBMISSION_BYTES = 64 * 1024 * 1024


def too_large(size: int) -> str:
    """Why a file of ``size`` bytes is not graded ("" if it may be)."""
    if size <= MAX_SUBMISSION_BYTES:
        return ""
    return (
        f"the file is {size / 2**20:.0f} MB, more than the "
        f"{MAX_SUBMISSION_BYTES / 2**20:.0f} MB a notebook may have: clear its outputs"
    )
