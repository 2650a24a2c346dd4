"""What the browser journeys (tests/browser) and the hub journeys (tests/hub) share: Debian's
Chromium driven by Playwright, one way to open a tab, numbered screenshots."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The system packages the journeys need beyond the venv; the Makefile's TEST_PACKAGES.
SYSTEM_PACKAGES = "chromium nodejs npm curl"
INSTALL_HINT = (
    f"`make test` run as root installs them; otherwise, as root: apt-get install -y "
    f"{SYSTEM_PACKAGES}"
)
VIEWPORT = {"width": 1440, "height": 900}
#: Written answers a student types into the reinforce notebook's markdown answer cells.
WRITTEN_ANSWERS = {
    "answer_score_function": (
        "d/dtheta log pi(1) = 1 - sigmoid(theta) and d/dtheta log pi(0) = -sigmoid(theta), so "
        "for a in {0, 1} the score is a - sigmoid(theta): +-1/2 at theta = 0."
    ),
    "answer_variance": (
        "With s(a) the score and E[s(a)] = 0, Var[g] = sum_a pi(a) s(a)^2 ((mu_a - b)^2 + "
        "sigma_a^2) - (dJ/dtheta)^2: a quadratic in b, the expectation does not move."
    ),
    "answer_optimal_baseline": (
        "b* = E[s(a)^2 r] / E[s(a)^2], the rewards weighted by the squared score; it is J(theta) "
        "only when s(a)^2 is the same for both actions (theta = 0) or the means are equal."
    ),
    "answer_constant_baseline": (
        "The score has mean zero under the policy, so E[score(a) * b] = b * E[score(a)] = 0: "
        "a constant baseline changes the variance, not the expectation."
    ),
    "answer_leave_one_out": (
        "If b_i uses r_i, it is correlated with a_i and E[score(a_i) * b_i] is no longer zero, "
        "so the estimate is biased; leaving the sample out keeps b_i independent of a_i."
    ),
}


def chromium_executable() -> str:
    """Debian's Chromium (Playwright cannot download its own browser offline)."""
    for candidate in (os.environ.get("PGLAB_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    pytest.fail(
        f"the browser and hub journeys need Chromium (or PGLAB_CHROMIUM): {INSTALL_HINT}; "
        'or deselect them with -m "not browser"'
    )


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium, closed (with Playwright) at the end."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser):
    """A tab in a context of its own (its own cookies), 60 s default timeout."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    return context.new_page()


def follow(frame, link, *breadcrumb: str) -> None:
    """Clicks a formgrader link, then waits until formgrader's breadcrumb reads BREADCRUMB:
    the page it opened. Formgrader's pages have links of the same names (the assignment on
    Manage Assignments, its notebook on the next page), so a next click made before the
    page changed would land on the page before."""
    from playwright.sync_api import expect

    link.click()
    expect(frame.locator(".breadcrumb li")).to_have_text(list(breadcrumb))


def wait_for_grading_view(score_box) -> None:
    """Waits until formgrader's grading view, the page of ``score_box`` (a locator of one of
    its score inputs), has fetched the submission's grades and comments. It binds a score
    box's change event, which saves the score, only then (formgrade.js: ``loadGrades``, run
    on the window's load): a score typed earlier is shown but never saved, which a loaded
    machine made happen."""
    score_box.element_handle().owner_frame().wait_for_function(
        "() => typeof formgrader !== 'undefined' && !!formgrader.grades"
        " && formgrader.grades.loaded === true && formgrader.comments.loaded === true"
    )


class Screenshots:
    """Numbered screenshots of a story, saved as DIRECTORY/[PREFIX-]NN-step.png; the
    story's old screenshots are removed first."""

    def __init__(self, directory: Path, prefix: str = ""):
        self.directory = directory
        self.prefix = f"{prefix}-" if prefix else ""
        self.count = 0
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob(f"{self.prefix}[0-9][0-9]-*.png"):
            old.unlink()

    def __call__(self, page, step: str, **kwargs) -> Path:
        self.count += 1
        path = self.directory / f"{self.prefix}{self.count:02d}-{step}.png"
        page.screenshot(path=path, **kwargs)
        return path
