"""The class report: one static HTML file (no server), written with Jinja2 and matplotlib."""

from __future__ import annotations

import base64
import statistics
from collections import defaultdict
from pathlib import Path

import jinja2

from pglab.assignments import ASSIGNMENTS
from pglab.checks.figures import pyplot, to_png
from pglab.course import writing_atomically
from pglab.grading.text import plain_text
from pglab.pipeline.run import Outcome, Run

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("pglab.pipeline", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _histogram(scores: list[float], maximum: float) -> str:
    figure, axes = pyplot().subplots(figsize=(6, 2.6))
    bins = max(1, int(maximum)) if maximum else 10
    axes.hist(scores, bins=bins, range=(0, maximum or None), color="C0", edgecolor="white")
    axes.set(xlabel="autograded points", ylabel="students")
    figure.tight_layout()
    return _data_uri(to_png(figure))


def _pass_rates(rates: dict[str, float]) -> str:
    figure, axes = pyplot().subplots(figsize=(6, 0.3 * len(rates) + 0.8))
    names = list(rates)[::-1]
    axes.barh(names, [100 * rates[n] for n in names], color="C2")
    axes.set(xlim=(0, 100), xlabel="% of graded students who passed")
    figure.tight_layout()
    return _data_uri(to_png(figure))


def summarise(run: Run) -> dict:
    assignment = ASSIGNMENTS.get(run.assignment)
    feedback = {m.id: m.feedback for m in assignment.catalogue} if assignment else {}
    graded = [o for o in run.outcomes if o.status != "failed"]
    failed = [o for o in run.outcomes if o.status == "failed"]
    auto_cells: dict[str, list[dict]] = defaultdict(list)
    misconceptions: dict[str, set[str]] = defaultdict(set)
    for outcome in graded:
        for cell in outcome.cells:
            if cell["passed"] is None:
                continue
            auto_cells[cell["grade_id"]].append(cell)
            if cell["misconception"]:
                misconceptions[cell["misconception"]].add(outcome.student)
    rates = {
        name: sum(1 for c in cells if c["passed"]) / len(cells)
        for name, cells in auto_cells.items()
    }
    auto_scores = [_auto_score(o) for o in graded]
    auto_max = max((_auto_max(o) for o in graded), default=0.0)
    frequent = [
        {
            "id": key,
            "count": len(students),
            "students": sorted(students)[:5],
            "feedback": feedback.get(key, ""),
        }
        for key, students in misconceptions.items()
    ]
    frequent.sort(key=lambda m: (-m["count"], m["id"]))
    timings = sorted(
        ({"student": o.student, **o.timings} for o in graded if o.timings and not o.identical_to),
        key=lambda t: -t.get("total", 0.0),
    )
    totals = [t.get("total", 0.0) for t in timings]
    return {
        "run": run,
        "graded": graded,
        "failed": failed,
        "unchanged": sum(1 for o in run.outcomes if o.status == "unchanged"),
        "auto_max": auto_max,
        "mean": statistics.fmean(auto_scores) if auto_scores else 0.0,
        "median": statistics.median(auto_scores) if auto_scores else 0.0,
        "histogram": _histogram(auto_scores, auto_max) if auto_scores else None,
        "rates": dict(sorted(rates.items())),
        "rates_plot": _pass_rates(dict(sorted(rates.items()))) if rates else None,
        "misconceptions": frequent,
        "timings": timings,
        "median_seconds": statistics.median(totals) if totals else 0.0,
        "flagged": [o for o in graded if o.flags],
        "times": submission_times(run),
        "identical": identical_files(run),
    }


def identical_files(run: Run) -> list[list[str]]:
    """Groups of students who handed in byte-identical files, largest first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for outcome in run.outcomes:
        if outcome.submission_sha256:
            groups[outcome.submission_sha256].append(outcome.student)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g))


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h"


def submission_times(run: Run) -> list[dict]:
    """Each student's submission time (UTC) and how late it was against the gradebook's
    due date and, for a student with one, their extension (which nbgrader's late penalty
    counts); the penalty itself is nbgrader's (``pglab export`` shows it)."""
    from nbgrader.utils import parse_utc

    due = parse_utc(run.duedate) if run.duedate else None
    rows = []
    for outcome in run.outcomes:
        late = ""
        if due is not None and outcome.submitted:
            seconds = (parse_utc(outcome.submitted) - due).total_seconds()
            late = f"{_hours(seconds)} late" if seconds > 0 else "on time"
            extension = run.extensions.get(outcome.student)
            if extension:
                after = seconds - extension
                within = f"{_hours(after)} late" if after > 0 else "on time"
                late += f"; with their extension of {_hours(extension)}: {within}"
        if outcome.submitted or outcome.time_note:
            rows.append(
                {
                    "student": outcome.student,
                    "submitted": outcome.submitted,
                    "late": late,
                    "note": outcome.time_note,
                }
            )
    return rows


def _auto_score(outcome: Outcome) -> float:
    return sum(c["score"] or 0.0 for c in outcome.cells if c["passed"] is not None)


def _auto_max(outcome: Outcome) -> float:
    return sum(c["max_score"] for c in outcome.cells if c["passed"] is not None)


def write_report(run: Run, destination: Path) -> Path:
    html = plain_text(TEMPLATES.get_template("report.html.j2").render(**summarise(run)))
    with writing_atomically(destination) as handle:
        handle.write(html)
    return destination
