"""``pglab grade``: grade a folder of submissions (or an LMS zip) into this course.

Writes the gradebook, submitted/ and autograded/ notebooks, feedback/, grades.csv (nbgrader's
columns), canvas.csv and reports/<assignment>.html. Run it again: only new or changed
submissions are graded (and any whose grades are missing from the gradebook); ``--student``
and ``--force`` grade again on purpose. Final grades, after TA grading: ``pglab export``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from nbgrader.api import MissingEntry

from pglab.course import NbgraderFailed
from pglab.pipeline.cluster import ClusterUnavailable
from pglab.pipeline.exports import (
    LatePolicyError,
    export_assignment,
    kept_ta_points,
    nbgrader_csv,
)
from pglab.pipeline.feedback import generate_feedback, needing_feedback
from pglab.pipeline.report import write_report
from pglab.pipeline.run import grade_class, state_directory
from pglab.pipeline.students import class_folders, with_submission
from pglab.preprocessors.flag_answers_in_added_cells import SUMMARIES
from pglab.preprocessors.write_verdicts import UNVERIFIED_SUMMARY
from pglab.sandbox import SandboxUnavailable

#: The summaries of the cells grading leaves to a TA (no automatic score).
FOR_A_TA = {*SUMMARIES.values(), UNVERIFIED_SUMMARY}

HELP = "Grade a submitted/ tree, a folder of notebooks or an LMS zip: grades, feedback, report."


def at_least_one(text: str) -> int:
    """``--jobs``: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} notebooks at once: give 1 or more")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="assignment name, e.g. reinforce")
    parser.add_argument(
        "submissions",
        nargs="?",
        help="nbgrader submitted/ tree, folder of notebooks, or Canvas/Moodle zip "
        "(default: the course's submitted/)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=at_least_one,
        default=None,
        help="notebooks graded at once (default: all cores)",
    )
    parser.add_argument("--course", default=".", help="course directory (default: .)")
    parser.add_argument("--no-feedback", action="store_true", help="skip feedback generation")
    parser.add_argument(
        "--student",
        action="append",
        metavar="ID",
        help="grade only this student, again even if unchanged (repeat for several)",
    )
    parser.add_argument(
        "--force", action="store_true", help="grade every submission again, even unchanged ones"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="grade on the workers of this Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default: c.Cluster.scheduler, else this machine); docs/scale-out.md",
    )
    parser.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run student code WITHOUT the bubblewrap sandbox (trusted code only)",
    )


def interrupted_message(course: Path, args: argparse.Namespace, started: float) -> str:
    """What to run after Ctrl-C. The same command grades what is left; with ``--force`` the
    same command would grade everyone again, and a run without it keeps the earlier grading
    of the students the forced run did not reach (their state, .pglab/grade/, is older)."""
    if not args.force:
        return (
            "pglab grade: interrupted. Every notebook graded so far is saved; run the same "
            "command again to grade the rest."
        )
    state = state_directory(course, args.assignment)
    older = sorted(p.stem for p in state.glob("*.json") if p.stat().st_mtime < started)
    # Only students still in the class: the state of one who left (their folder moved out of
    # submitted/, their grades removed from the gradebook) stays behind in .pglab/grade/.
    in_gradebook = set(with_submission(course, args.assignment)) if older else set()
    left = [
        s
        for s in older
        if s in in_gradebook and (course / "submitted" / s / args.assignment).is_dir()
    ]
    return (
        "pglab grade: interrupted. Every notebook graded so far is saved. Run it without "
        "--force to grade the new or changed submissions left"
        + (
            f"; the {len(left)} graded before that this run did not reach keep their earlier "
            "grading (--student ID grades one again, --force everyone)."
            if left
            else "."
        )
    )


def writes_course(args: argparse.Namespace) -> bool:
    """Grading writes the gradebook and the course's trees (pglab.course_lock)."""
    return True


def _print_ten(lines: list[str], more: str) -> None:
    """The first ten of ``lines``, then "and N more ``more``" for the rest."""
    for line in lines[:10]:
        print(line)
    if len(lines) > 10:
        print(f"  and {len(lines) - 10} more {more}")


def run(args: argparse.Namespace) -> int:
    course = Path(args.course).resolve()
    source = Path(args.submissions).resolve() if args.submissions else course / "submitted"
    if not args.submissions and not source.is_dir():
        print(
            f"pglab grade: no submissions yet: {source} does not exist. Collect them "
            "(nbgrader collect, or the hub's exchange), or give a folder or an LMS zip."
        )
        return 2
    started = time.time()
    try:
        result = grade_class(
            course,
            args.assignment,
            source,
            args.jobs,
            args.unsafe_no_sandbox,
            progress=not args.quiet,
            scheduler=args.scheduler,
            students=args.student,
            force=args.force,
            say=lambda text: print(f"pglab grade: {text}", flush=True),
        )
    except (
        SandboxUnavailable,
        ClusterUnavailable,
        MissingEntry,
        NbgraderFailed,
        LatePolicyError,
    ) as error:
        print(f"pglab grade: {error}")
        return 2
    except FileNotFoundError as error:
        print(f"pglab grade: {error}")
        return 2
    except KeyboardInterrupt:
        print(interrupted_message(course, args, started))
        return 130
    graded = [o for o in result.outcomes if o.status == "graded"]
    folders = class_folders(course, args.assignment)
    interrupted = False
    if not args.no_feedback:
        # Everyone else with a graded notebook, with --student too: a page whose gradebook
        # entries changed (a late penalty computed again, TA points) is made again.
        # Only students the gradebook has a submission for: nbgrader's feedback fails for a
        # folder left from a student removed from it, and for everyone rendered with them.
        just_graded = {o.student for o in graded}
        others = [s for s in folders.autograded if s not in just_graded]
        students = needing_feedback(course, args.assignment, sorted(just_graded), others)
        try:
            generate_feedback(course, args.assignment, students, result.jobs)
        except NbgraderFailed as error:
            print(f"pglab grade: feedback could not be generated: {error}")
        except KeyboardInterrupt:  # the grades are saved: the exports still show them
            interrupted = True
    exports = course / "exports"
    exports.mkdir(exist_ok=True)
    # The assignment's export first: it computes every late penalty again (TA points, a new
    # due date), which nbgrader's own export of every assignment then shows too.
    export_assignment(course, args.assignment, exports)
    nbgrader_csv(course, exports / "grades.csv")
    report = write_report(result, course / "reports" / f"{args.assignment}.html")
    if interrupted:
        print(
            "pglab grade: interrupted while making feedback. The grades are saved, and in "
            f"{exports}; the feedback is not finished: run the command again without --force "
            "or --student (nobody unchanged is graded again) to make the rest."
        )
        return 130

    failed = [o for o in result.outcomes if o.status == "failed"]
    unchanged = sum(1 for o in result.outcomes if o.status == "unchanged")
    print(
        f"{len(graded)} graded, {unchanged} unchanged, {len(failed)} could not be graded, "
        f"{len(result.skipped)} files not used, in {result.wall_seconds:.1f} s "
        f"with {result.jobs} jobs{' on ' + result.where if result.where else ''}."
    )
    copies = [o for o in result.outcomes if o.identical_to and o.status != "unchanged"]
    if copies:
        shown = ", ".join(f"{o.student} (as {o.identical_to})" for o in copies[:10])
        print(
            f"  {len(copies)} byte-identical to another student's file, graded once with it: "
            f"{shown}{' ...' if len(copies) > 10 else ''}"
        )
    for outcome in failed:
        why = (outcome.error or "").removeprefix("could not be graded: ")  # said once
        print(f"  could not grade {outcome.student} ({outcome.origin}): {why}")
    kept = sorted(kept_ta_points(course, args.assignment, [o.student for o in graded]).items())
    _print_ten(
        [
            f"  {student}: graded again after TA grading: the TA's points on {', '.join(cells)} "
            "still count, on their feedback page too, and wait in formgrader for a TA to "
            "confirm or change them (nbgrader keeps them)"
            for student, cells in kept
        ],
        f"students graded again after TA grading (pglab export {args.assignment} lists who "
        "needs manual grading)",
    )
    _print_ten(
        [
            f"  {o.student}: {c['grade_id']} {c['summary']}"
            for o in graded
            for c in o.cells
            if c.get("summary") in FOR_A_TA
        ],
        "cells left to a TA",
    )
    for origin, reason in sorted(result.skipped.items()):
        print(f"  not used: {origin}: {reason}")
    for line in folders.warnings("grade", args.assignment):
        print(line)
    print(f"report:   {report}")
    print(
        f"grades:   {exports / (args.assignment + '-grades.csv')} (with each student's status), "
        f"{exports / (args.assignment + '-canvas.csv')}, {exports / 'grades.csv'} (nbgrader's)"
    )
    print(f"after TA grading, final grades: pglab export {args.assignment}")
    print(f"feedback: {course / 'feedback'}/<student>/{args.assignment}/")
    return 0
