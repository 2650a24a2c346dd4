"""Grade the bundled demo classes with ``pglab grade`` and print each student's score.

There is one class per assignment, in demo/class/<assignment>/: one small Python file per
student stating the functions they wrote differently from the solution (turned into a
notebook from the release), plus a few raw files as an LMS might deliver them, broken ones
included. The demo builds a scratch course in demo/course (this repository's
nbgrader_config.py and source/), puts each class in demo/course/inbox/<assignment>/, and
runs ``pglab grade <assignment> inbox/<assignment>`` there.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from pglab.course import nbgrader_env, scores, scratch_course
from pglab.submissions import build_submission, corpus_settings

REPOSITORY = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ("reinforce", "rewards_to_go", "actor_critic")


def build_inbox(course: Path, assignment: str) -> Path:
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    inbox = course / "inbox" / assignment
    inbox.mkdir(parents=True)
    for path in sorted((REPOSITORY / "demo" / "class" / assignment).iterdir()):
        if path.suffix == ".py":
            text = path.read_text()
            name = corpus_settings(text).get("FILENAME", f"{path.stem}/{assignment}.ipynb")
            target = inbox / name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(build_submission(release, source, text), target)
        elif path.suffix == ".ipynb":
            target = inbox / path.stem / f"{assignment}.ipynb"
            target.parent.mkdir(parents=True)
            shutil.copy(path, target)
    return inbox


def written_answers(course: Path, assignment: str) -> set[str]:
    """The grade ids of the manually graded answers (nbgrader: grade and solution cells)."""
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    meta = [cell.metadata.get("nbgrader", {}) for cell in source.cells]
    return {m["grade_id"] for m in meta if m.get("grade") and m.get("solution")}


def grade(course: Path, assignment: str) -> int:
    inbox = build_inbox(course, assignment)
    print(f"\nGrading the demo class: pglab grade {assignment} {inbox.relative_to(course)}")
    command = [sys.executable, "-m", "pglab", "grade", assignment, str(inbox)]
    status = subprocess.run(command, cwd=course, env=nbgrader_env()).returncode
    if status != 0:
        return status

    table = scores(course, assignment)
    written = written_answers(course, assignment)
    print(f"\n{'student':<11} {'autograded':>10}  {'written (TA)':<16} cells that lost points")
    for student in sorted(table):
        cells = table[student]
        auto = {n: c for n, c in cells.items() if n not in written}
        got, out_of = sum(c.score for c in auto.values()), sum(c.max_score for c in auto.values())
        pending = sum(c.max_score for n, c in cells.items() if c.needs_manual_grade)
        to_grade = f"{pending:.0f} pts to grade" if pending else "no answers"
        lost = ", ".join(n for n, c in auto.items() if c.score < c.max_score) or "-"
        print(f"{student:<11} {got:>5.0f} / {out_of:<3.0f}  {to_grade:<16} {lost}")
    print(f"\nClass report: {course / 'reports' / (assignment + '.html')}")
    return 0


def main() -> int:
    course = scratch_course(REPOSITORY, REPOSITORY / "demo" / "course", list(ASSIGNMENTS))
    for assignment in ASSIGNMENTS:
        status = grade(course, assignment)
        if status != 0:
            return status
    print("Written answers await a TA in formgrader (README, TAs).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
