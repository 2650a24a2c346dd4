"""Small plots that say a Monte Carlo verdict faster than numbers (PNG bytes, reproducible)."""

from __future__ import annotations

import functools
import io

import numpy as np


@functools.cache
def pyplot():
    """matplotlib's pyplot on the Agg backend, imported when the first figure is drawn: every
    nbgrader and pglab command loads the checks (nbgrader_config.py), and most of them never
    draw, so a module-level import cost each of them half a second of start-up. Set up once,
    as the module-level import did: later calls only return the module."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _margins(figure, axes, titled: bool = False) -> None:
    """The legend in a row of its own under the axes, so it never covers the data, and
    room for a title above them.  Fixed margins: ``tight_layout`` measures every label and
    costs ~0.35 s per figure, which would be most of the grader's own time per submission."""
    handles, labels = axes.get_legend_handles_labels()
    columns = 1 if max(map(len, labels)) > 36 else 2
    figure.legend(handles, labels, loc="lower center", ncol=columns, fontsize=8, frameon=False)
    rows = -(-len(labels) // columns)
    figure.subplots_adjust(
        left=0.13, right=0.97, bottom=0.17 + 0.075 * rows, top=0.88 if titled else 0.95
    )


def to_png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, metadata={"Software": None})
    pyplot().close(figure)
    return buffer.getvalue()


def running_mean(estimates: np.ndarray, target: float, radius_at, label: str) -> bytes:
    """The running mean of the student's estimates against the exact gradient and the band a
    correct estimator stays in (``radius_at(n)`` for n samples)."""
    n = np.unique(np.geomspace(100, estimates.size, 200).astype(int))
    means = np.cumsum(estimates)[n - 1] / n
    band = np.array([radius_at(int(k)) for k in n])
    figure, axes = pyplot().subplots(figsize=(6, 3.6))
    axes.fill_between(
        n, target - band, target + band, alpha=0.2, label="where a correct estimator stays"
    )
    axes.axhline(target, color="k", ls="--", label="exact dJ/dtheta")
    axes.plot(n, means, color="C3", label=label)
    axes.set(xscale="log", xlabel="samples", ylabel="running mean")
    # Plain labels at the powers of ten (100, 1,000, ...) and no minor ticks: the default
    # labels are mathtext and the minor ticks dozens of artists, most of this figure's cost.
    ticker = pyplot().matplotlib.ticker
    axes.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    axes.xaxis.set_minor_locator(ticker.NullLocator())
    _margins(figure, axes)
    return to_png(figure)


def batch_means(sizes, means, radii, target: float) -> bytes:
    """Mean estimate per batch size with its acceptance interval, and where a baseline that
    includes the sample would land, (1 - 1/n) dJ/dtheta."""
    sizes = np.asarray(sizes)
    figure, axes = pyplot().subplots(figsize=(6, 3.6))
    axes.axhline(target, color="k", ls="--", label="exact dJ/dtheta")
    axes.errorbar(
        sizes,
        means,
        yerr=radii,
        fmt="o",
        color="C3",
        capsize=4,
        label="your estimator (with acceptance interval)",
    )
    axes.plot(
        sizes,
        (1 - 1 / sizes) * target,
        "x",
        color="grey",
        label="batch mean incl. the sample: (1 - 1/n) dJ/dtheta",
    )
    axes.set(xlabel="batch size n", ylabel="mean estimate", xticks=sizes)
    _margins(figure, axes)
    return to_png(figure)


def component_means(labels, series, title: str) -> bytes:
    """Per component, each series' mean with its acceptance interval next to the exact value.

    ``series`` maps a name to one (mean, exact, radius) triple per label."""
    figure, axes = pyplot().subplots(figsize=(6, 3.6))
    x = np.arange(len(labels))
    width = 0.8 / max(1, len(series))
    for k, (name, triples) in enumerate(series.items()):
        means, exact, radii = (np.array(v) for v in zip(*triples, strict=True))
        offset = x - 0.4 + width * (k + 0.5)
        axes.errorbar(offset, means, yerr=radii, fmt="o", capsize=3, color=f"C{k}", label=name)
        axes.plot(offset, exact, "x", color="k")
    axes.plot([], [], "x", color="k", label="exact")
    axes.set(xticks=x, xticklabels=labels, ylabel="mean estimate", title=title)
    _margins(figure, axes, titled=True)
    return to_png(figure)
