"""Grade the bundled demo class with plain ``nbgrader autograde`` and print each student's score.

The class lives in demo/class/: one small Python file per student stating the functions
they wrote differently from the solution.  The demo builds a scratch course in demo/course
(this repository's nbgrader_config.py and source/), turns each file into a submitted
notebook from the release, and runs nbgrader's own commands there.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat

from pglab.course import add_submission, run_nbgrader, scores, scratch_course
from pglab.submissions import build_submission

REPOSITORY = Path(__file__).resolve().parent.parent
ASSIGNMENT = "reinforce"


def main() -> int:
    course = scratch_course(REPOSITORY, REPOSITORY / "demo" / "course", [ASSIGNMENT])
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    students = sorted((REPOSITORY / "demo" / "class").glob("*.py"))
    for path in students:
        submission = build_submission(release, source, path.read_text())
        add_submission(course, ASSIGNMENT, path.stem, submission)

    print(
        f"Autograding {len(students)} demo submissions with `nbgrader autograde {ASSIGNMENT}` ..."
    )
    started = time.perf_counter()
    run_nbgrader(course, "autograde", ASSIGNMENT, "--force")
    elapsed = time.perf_counter() - started
    run_nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")

    table = scores(course, ASSIGNMENT)
    print(f"\n{'student':<11} {'autograded':>10}  {'written (TA)':<13} cells that lost points")
    for student in sorted(table):
        cells = table[student]
        auto = {n: c for n, c in cells.items() if not n.startswith("answer_")}
        got, out_of = sum(c.score for c in auto.values()), sum(c.max_score for c in auto.values())
        pending = sum(c.max_score for n, c in cells.items() if c.needs_manual_grade)
        written = f"{pending:.0f} pts to grade" if pending else "no answers"
        lost = ", ".join(n for n, c in auto.items() if c.score < c.max_score) or "-"
        print(f"{student:<11} {got:>5.0f} / {out_of:<3.0f}  {written:<13} {lost}")
    print(f"\nGraded in {elapsed:.1f} s. Written answers await a TA in formgrader.")
    print(f"Feedback: {course / 'feedback'}/<student>/{ASSIGNMENT}/{ASSIGNMENT}.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
