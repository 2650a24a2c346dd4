"""`pglab grade`'s progress: a bar on a terminal, a line per notebook in a log
(pglab.pipeline.progress; the pipeline's own lines: tests/test_feedback.py)."""

from __future__ import annotations

import io

from tqdm import tqdm

from pglab.pipeline.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_and_a_log_a_line_per_notebook():
    bar = progress(2, "grading reinforce", file=Terminal())
    assert isinstance(bar, tqdm) and not bar.disable
    bar.close()

    log = io.StringIO()
    lines = progress(2, "grading reinforce", file=log)
    for student in ("ann", "bob"):
        lines.update(1)
        lines.set_postfix_str(f"{student}: graded")
    lines.close()
    assert log.getvalue() == (
        "grading reinforce: 1/2 ann: graded\ngrading reinforce: 2/2 bob: graded\n"
    )


def test_quiet_shows_nothing_anywhere():
    for file in (Terminal(), io.StringIO()):
        bar = progress(2, "grading reinforce", enabled=False, file=file)
        bar.update(1)
        bar.set_postfix_str("ann: graded")
        bar.close()
        assert file.getvalue() == ""
