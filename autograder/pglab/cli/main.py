"""The ``pglab`` command: one module per verb, registered here."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pglab import __version__
from pglab.cli import config_reference, export, grade, probes, release, roster, scan
from pglab.course_lock import CourseBusy, holding_course

VERBS = {
    "grade": grade,
    "export": export,
    "roster": roster,
    "probes": probes,
    "release": release,
    "scan": scan,
    "config-reference": config_reference,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pglab",
        description="Auto-graded policy-gradient assignments on nbgrader. Run from the course "
        "directory (the folder with nbgrader_config.py).",
    )
    parser.add_argument("--version", action="version", version=f"pglab {__version__}")
    commands = parser.add_subparsers(dest="verb", metavar="COMMAND")
    for name, module in VERBS.items():
        module.add_arguments(commands.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def own_bin_first_on_path() -> None:
    """Put this environment's ``bin`` first on PATH for everything pglab starts: nbgrader
    runs ``alembic`` from PATH, and ``.venv/bin/pglab`` run by its full path, without an
    activated environment, would otherwise find none (or another environment's)."""
    own = os.path.dirname(os.path.abspath(sys.executable))
    rest = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != own]
    os.environ["PATH"] = os.pathsep.join([own, *rest])


class ReaderGone:
    """Standard output or error of a pglab command: once its reader has gone (``pglab export
    | head -3``), what is written is dropped instead of raising ``BrokenPipeError`` in the
    middle of the work (a grading run finishes and saves everything), and
    :attr:`gone` says so."""

    def __init__(self, stream):
        self.stream, self.gone = stream, False

    def _drop(self) -> None:
        self.gone = True
        devnull = os.open(os.devnull, os.O_WRONLY)  # what is still buffered goes there too
        os.dup2(devnull, self.stream.fileno())
        os.close(devnull)

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._drop()

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def path_problem(error: OSError) -> str:
    """Why a path could not be used, in plain words."""
    if isinstance(error, (FileExistsError, NotADirectoryError)):
        return f"{error.strerror} (a file stands where a folder is needed)"
    return error.strerror or str(error)


def main(argv: list[str] | None = None) -> int:
    """Run the pglab command ARGV; its exit status. A reader that goes away early (``pglab
    export | head``) ends it quietly with 141, as SIGPIPE ends a Unix tool, after the work."""
    streams = sys.stdout, sys.stderr
    if None in streams:  # started with a closed stdout or stderr: print() drops the text
        return _main(argv)
    out, err = ReaderGone(sys.stdout), ReaderGone(sys.stderr)
    sys.stdout, sys.stderr = out, err
    try:
        status = _main(argv)
    finally:
        out.flush()
        err.flush()
        sys.stdout, sys.stderr = streams
    return 141 if out.gone or err.gone else status


def _main(argv: list[str] | None) -> int:
    own_bin_first_on_path()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help()
        return 0
    module = VERBS[args.verb]
    course = getattr(args, "course", None)
    needs_config = getattr(module, "NEEDS_COURSE_CONFIG", True)
    if course is not None and needs_config and not (Path(course) / "nbgrader_config.py").is_file():
        print(
            f"pglab {args.verb}: {Path(course).resolve()} is not a course directory (it has no "
            "nbgrader_config.py): run pglab in the course directory, or pass --course DIR."
        )
        return 2
    try:
        if not getattr(module, "writes_course", lambda _: False)(args):
            return module.run(args)
        with holding_course(Path(course), argv):
            return module.run(args)
    except CourseBusy as busy:
        print(f"pglab {args.verb}: {busy}")
        return 2
    except KeyboardInterrupt:  # a verb that has more to say about it catches it itself
        print(f"pglab {args.verb}: interrupted.")
        return 130
    except OSError as error:  # a path it cannot write or read: `--output /etc/passwd/x`
        if error.filename is None:
            raise
        print(f"pglab {args.verb}: cannot use {error.filename}: {path_problem(error)}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
