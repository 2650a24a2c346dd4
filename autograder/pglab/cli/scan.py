"""``pglab scan``: tamper evidence for every submission, with the suspicious lines quoted.

Reads ``submitted/<student>/<assignment>/*.ipynb`` and prints, per student, each flag of
``pglab.tamper`` (e.g. ``imports os``, ``assigns np.allclose, part of a module``). Flags do
not change scores; they tell a TA where to look. Exit status 0 whatever is found (1 for a
bad course directory, 2 for an assignment neither in source/ nor in submitted/).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pglab.grading.grade import UnreadableSubmission, read_submission
from pglab.tamper import scan_notebook

HELP = "Flag submission code that a REINFORCE solution never needs (static scan, no scores)."


#: The scan reads submitted/ alone: a folder of collected submissions is enough.
NEEDS_COURSE_CONFIG = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", nargs="?", default="reinforce")
    parser.add_argument("--course", default=".", help="course directory (default: .)")
    parser.add_argument("--student", help="only this student")
    parser.add_argument("--json", action="store_true", help="one JSON object per flag")


def scan_course(course: Path, assignment: str, student: str | None = None) -> dict[str, list]:
    """student -> flags of their submitted notebooks, for every submission. A notebook that
    cannot be read (not JSON, a cell's source not text, ...) is one line saying why, read as
    ``pglab grade`` reads it (``read_submission``); the others are scanned all the same."""
    found = {}
    pattern = f"{student or '*'}/{assignment}/*.ipynb"
    for path in sorted((course / "submitted").glob(pattern)):
        name = path.parent.parent.name
        try:
            notebook = read_submission(path.read_bytes())
        except (OSError, UnreadableSubmission) as error:  # itself worth a look
            found.setdefault(name, []).append(f"{path.name}: cannot be read ({error})")
            continue
        found.setdefault(name, []).extend(scan_notebook(notebook))
    return found


def assignments_of(course: Path) -> set[str]:
    """The assignments the course knows: a folder in source/, or one that a student handed in
    (submitted/<student>/<assignment>/: collected submissions without source/ are enough)."""
    return {p.name for p in (course / "source").glob("*") if p.is_dir()} | {
        p.name for p in (course / "submitted").glob("*/*") if p.is_dir()
    }


def run(args: argparse.Namespace) -> int:
    course = Path(args.course)
    if not (course / "submitted").is_dir():
        print(f"pglab scan: {course.resolve()} has no submitted/ directory; run it in the "
              "course directory or pass --course")  # fmt: skip
        return 1
    known = assignments_of(course)
    if args.assignment not in known:
        print(
            f"pglab scan: there is no assignment {args.assignment}: check the name"
            + (f" (this course has {', '.join(sorted(known))})" if known else "")
        )
        return 2
    found = scan_course(course, args.assignment, args.student)
    if not found:
        by = f" by {args.student}" if args.student else ""
        print(f"no submissions of {args.assignment!r}{by} in {course / 'submitted'}")
    for student, flags in found.items():
        if args.json:
            for flag in flags:
                row = flag.as_dict() if hasattr(flag, "as_dict") else {"error": flag}
                print(json.dumps({"student": student, **row}))
            continue
        print(f"{student}: {len(flags)} flag{'s' * (len(flags) != 1)}")
        for flag in flags:
            print("  " + (flag.text() if hasattr(flag, "text") else flag).replace("\n", "\n  "))
    return 0
