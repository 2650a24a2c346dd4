"""A hostile or careless class: links, special files, oversized and corrupt inputs, forged
output lines and script in a notebook. One student's input never hangs or stops the class's
run, reads or writes outside it, or runs script in a page a TA or student opens."""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from support import ASSIGNMENT, autograded_points, pglab
from test_pglab_grade import Class, _bytes, _cell_index

from pglab.grading.grade import MAX_NESTING, UnreadableSubmission, read_submission
from pglab.pipeline.discover import discover

NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def _put(folder: Path, relative: str, data: bytes) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_links_special_files_and_huge_timestamps_are_reported_not_read(tmp_path):
    """In a folder of submissions: a notebook that links to a classmate's (or to the
    solutions), a timestamp.txt that links to a system file or holds a megabyte (a date
    parser's time grows with the square of its input), a FIFO named like a notebook (reading
    it would hang the run) and a folder named like one are each reported in a line, with
    the student's reason; the classmate is graded as usual."""
    inbox = tmp_path / "inbox"
    alice = _put(inbox, f"alice/{NOTEBOOK}", b'{"cells": []}')
    (inbox / "eve").mkdir()
    (inbox / "eve" / NOTEBOOK).symlink_to(alice)
    _put(inbox, f"bob/{NOTEBOOK}", b'{"cells": []}')
    (inbox / "bob" / "timestamp.txt").symlink_to("/etc/passwd")
    _put(inbox, f"cyd/{NOTEBOOK}", b'{"cells": []}')
    _put(inbox, "cyd/timestamp.txt", b"1" * 1_000_000)
    (inbox / "dan").mkdir()
    os.mkfifo(inbox / "dan" / NOTEBOOK)
    (inbox / "fay" / NOTEBOOK).mkdir(parents=True)

    found = discover(inbox, ASSIGNMENT, ASSIGNMENT)
    assert sorted(found.submissions) == ["alice"]
    reasons = {student: why for student, (_, why) in found.not_graded.items()}
    assert reasons == {
        "eve": "a symbolic link (pglab reads only regular files)",
        "bob": "its timestamp.txt is a symbolic link (pglab reads only regular files)",
        "cyd": "its timestamp.txt is 1000000 bytes long, not one date and time",
        "dan": "not a regular file (pglab reads only regular files)",
        "fay": "a folder, not a notebook",
    }
    assert all(why.startswith("not graded: ") for why in found.skipped.values())
    assert "root:" not in json.dumps(found.skipped)


def test_zip_entries_too_large_or_corrupt_are_reported_and_the_rest_found(tmp_path):
    """A zip bomb's entry is refused by its declared size, before it is unpacked; an entry
    that cannot be read (a bad checksum) is that student's problem, not the class's; a file
    name holding a newline or a terminal escape is shown escaped, so that it cannot forge a
    line of the command's output."""
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"alice/{NOTEBOOK}", b'{"cells": []}')
        bundle.writestr(f"bomb/{NOTEBOOK}", b" " * (65 * 2**20))
        bundle.writestr(f"crc/{NOTEBOOK}", b'{"cells": [], "metadata": {}}' * 50)
        bundle.writestr(f"x\n  could not grade alice: FORGED\x1b[2J/{NOTEBOOK}", b"{}")
    data = bytearray(archive.read_bytes())
    start = data.index(b"crc/" + NOTEBOOK.encode()) + len("crc/" + NOTEBOOK)
    data[start + 20] ^= 0xFF  # inside the entry's compressed bytes: its checksum fails
    archive.write_bytes(bytes(data))

    found = discover(archive, ASSIGNMENT, ASSIGNMENT)
    assert "alice" in found.submissions
    reasons = {student: why for student, (_, why) in found.not_graded.items()}
    assert reasons["bomb"].startswith("the file is 65 MB, more than the 64 MB")
    assert reasons["crc"].startswith("could not be read (")
    shown = [origin for found_ in found.submissions.values() for origin in [found_.origin]]
    shown += list(found.skipped)
    assert not any("\n" in origin or "\x1b" in origin for origin in shown), shown
    assert any("\\n  could not grade alice: FORGED\\x1b[2J" in origin for origin in shown), shown


def test_deeply_nested_json_is_refused_when_read():
    """nbconvert's templates recurse through a notebook's metadata: nested hundreds deep it
    fails feedback for a whole batch of students. It is refused at read time, for that
    student alone."""
    deep: dict = {}
    level = deep
    for _ in range(MAX_NESTING + 10):
        level["a"] = {}
        level = level["a"]
    notebook = {"cells": [], "metadata": {"deep": deep}, "nbformat": 4, "nbformat_minor": 5}
    with pytest.raises(UnreadableSubmission, match="nested more than"):
        read_submission(json.dumps(notebook).encode())
    with pytest.raises(UnreadableSubmission, match="nested more than"):
        read_submission(b"[" * 200_000)
    with pytest.raises(UnreadableSubmission, match="more than the 64 MB"):
        read_submission(b" " * (65 * 2**20))


SCRIPT_OUTPUT = (
    "from IPython.display import HTML, Javascript, display\n"
    "display(HTML('<b>table</b><script>document.title = \"PWNED\"</script>'))\n"
    "display(Javascript('document.title = \"PWNED-JS\"'))\n"
)


@pytest.mark.pipeline
def test_a_class_of_links_and_script_harms_nobody(tmp_path):
    """Through `pglab grade`: zed's course folder holds links planted where pglab writes (his
    notebook's path pointing at a file that does not exist yet, his timestamp.txt at another
    file, a data file at /dev/zero). Grading his notebook from a folder writes through none of
    them, copies none, and keeps each link in .pglab/replaced. His notebook shows script in
    an output and in a written answer: the autograded notebook and the feedback page hold it
    only as text. He is graded in full."""
    klass = Class(tmp_path)
    course = klass.course
    victim, created = tmp_path / "victim.txt", tmp_path / "created-by-pglab"
    victim.write_text("keep me\n")
    planted = course / "submitted" / "zed" / ASSIGNMENT
    planted.mkdir(parents=True)
    (planted / NOTEBOOK).symlink_to(created)
    (planted / "timestamp.txt").symlink_to(victim)
    (planted / "data.npy").symlink_to("/dev/zero")

    notebook = klass.with_cell_after("test_log_prob", SCRIPT_OUTPUT)
    answer = _cell_index(notebook, "answer_score_function")
    notebook.cells[answer].source = 'See <img src=x onerror="document.title=1"> and $a<b$.'
    inbox = tmp_path / "inbox"
    _put(inbox, f"zed/{ASSIGNMENT}/{NOTEBOOK}", _bytes(notebook))
    _put(inbox, f"zed/{ASSIGNMENT}/timestamp.txt", b"2026-03-01 12:00:00 UTC")

    result = pglab(course, str(inbox), "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 graded" in result.stdout, result.stdout
    assert not created.exists() and victim.read_text() == "keep me\n"
    kept = list((course / ".pglab" / "replaced" / ASSIGNMENT / "zed").glob("*/*"))
    assert sorted(p.name for p in kept) == [NOTEBOOK, "timestamp.txt"]
    assert all(p.is_symlink() for p in kept)
    assert not (planted / NOTEBOOK).is_symlink()
    autograded = course / "autograded" / "zed" / ASSIGNMENT
    assert not (autograded / "data.npy").exists()

    graded = nbformat.read(autograded / NOTEBOOK, as_version=4)
    outputs = json.dumps([c.get("outputs", []) for c in graded.cells])
    assert "<script>" not in outputs and "application/javascript" not in outputs
    assert "&lt;script&gt;" in outputs  # the output is kept, as text
    assert "<img" not in graded.cells[answer].source  # kept as text: &lt;img ...
    assert "$a<b$" in graded.cells[answer].source or "$a&lt;b$" in graded.cells[answer].source
    page = (course / "feedback" / "zed" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    body = page[page.index("<body") :]
    assert not re.search(r"<script[^>]*>\s*document\.title", body)  # the HTML's, the JS's
    assert not re.search(r"<img[^>]*onerror", body)
    state = json.loads((course / ".pglab" / "grade" / ASSIGNMENT / "zed.json").read_text())
    assert state["status"] == "graded"
    assert state["score"] == pytest.approx(autograded_points())
