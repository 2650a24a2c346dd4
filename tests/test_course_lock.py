"""One pglab command at a time writes a course (pglab.course_lock).

The commands run as an instructor runs them (the installed ``pglab`` script) in a scratch
course, while this test holds the course's lock the way a running ``pglab grade`` does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support import ASSIGNMENT, REPOSITORY, pglab_in_process
from support import pglab_script as pglab

from pglab.course import scratch_course
from pglab.course_lock import LOCK_FILE, CourseBusy, holding_course

pytestmark = pytest.mark.pipeline

HOLDER = ["grade", ASSIGNMENT, "inbox", "--jobs", "2"]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lock")
    course = scratch_course(REPOSITORY, root / "course", [ASSIGNMENT])
    (course / "submitted").mkdir()
    (root / "roster.csv").write_text("id,first_name,last_name,email\nann,Ann,Lee,\n")
    return course


@pytest.mark.parametrize(
    "command",
    [
        ["grade", ASSIGNMENT, "inbox"],
        ["export", ASSIGNMENT],
        ["roster", "../roster.csv"],
        ["release", ASSIGNMENT],
        ["probes", "--write"],
    ],
    ids=lambda command: command[0],
)
def test_a_second_writer_is_refused_naming_the_first(course, command):
    """While a grading run holds the course, every command that writes it stops at once,
    says which command holds it and since when, and changes nothing. (Run in this process:
    ``flock`` refuses a second open of the file here as it does in another process, which
    the first case and the killed holder below show with the installed script.)"""
    gradebook = (course / "gradebook.db").read_bytes()
    with holding_course(course, HOLDER):
        if command[0] == "grade":
            result = pglab(course, *command)
            status, out = result.returncode, result.stdout + result.stderr
        else:
            status, out, err = pglab_in_process(course, *command)
            out += err
    assert status == 2, out
    line = out.strip()
    assert line.startswith(f"pglab {command[0]}: `pglab {' '.join(HOLDER)}` (pid {os.getpid()}")
    assert "is already writing this course" in line and "run this command again" in line
    assert (course / "gradebook.db").read_bytes() == gradebook


@pytest.mark.parametrize(
    ("command", "says"),
    [
        # a scratch course has no solutions/: the check runs and says so
        (["release", ASSIGNMENT, "--check"], "out of sync with source/"),
        (["probes", "--check"], "up to date"),
        (["scan", ASSIGNMENT], ""),
        (["--version"], "pglab "),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, list) else "",
)
def test_reading_commands_run_alongside_a_writer(course, command, says):
    with holding_course(course, HOLDER):
        status, out, err = pglab_in_process(course, *command)
    assert "is already writing this course" not in out + err
    assert status != 2 and says in out + err, out + err


def test_the_lock_is_free_once_its_holder_has_finished(course):
    with holding_course(course, HOLDER):
        pass
    assert (course / LOCK_FILE).read_text() == ""
    result = pglab(course, "roster", "../roster.csv")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_killed_holder_leaves_the_course_free(course):
    """``kill -9`` of a grading run must not leave the course locked for good."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from pglab.course_lock import "
         "holding_course\nwith holding_course(Path(sys.argv[1]), ['grade']):\n"
         "    print('held', flush=True); time.sleep(600)", str(course)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(CourseBusy, match=r"`pglab grade` \(pid \d+"):
            with holding_course(course, HOLDER):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    with holding_course(course, HOLDER):
        assert HOLDER[0] in (course / LOCK_FILE).read_text()


def test_root_leaves_the_lock_to_the_courses_owner(tmp_path):
    """As root in a course another user owns, .pglab/ and the lock stay that user's: a
    root-owned .pglab/ would stop the course's own user from grading there."""
    if os.geteuid() != 0:
        pytest.skip("only root can work in a course another user owns")
    course = tmp_path / "course"
    course.mkdir()
    os.chown(course, 65534, 65534)
    with holding_course(course, HOLDER):
        pass
    for path in (course / LOCK_FILE.parent, course / LOCK_FILE):
        assert (path.stat().st_uid, path.stat().st_gid) == (65534, 65534), path
