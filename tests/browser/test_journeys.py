"""The student and TA journeys in JupyterLab 4, driven in headless Chromium by Playwright.

One JupyterLab server (conftest.py) serves a scratch course with a local exchange; the
journeys run in order and build on each other, like a week of the course:

1. the student fetches ``reinforce`` from the Assignments panel, fills in the functions and
   the written answers, runs all cells (the plots render), validates (success), then breaks
   ``grad_log_prob`` and validates again (the visible test's friendly message);
2. the student submits; the instructor collects, autogrades, generates and releases
   feedback; the student fetches it and reads the diagnosis, with no hidden test code;
3. a TA grades the written answers in formgrader and the submission's total goes up;
4. the third assignment: the released ``actor_critic`` notebook, with the solution filled in,
   runs top to bottom in the lab (PyTorch in the student's kernel, the plots render).

Screenshots of every step land in artifacts/browser/.
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest
from browser_support import WRITTEN_ANSWERS, follow, wait_for_grading_view
from nbgrader.utils import get_username
from playwright.sync_api import Page, expect
from support import REPOSITORY

from pglab.submissions import fill, solution_code

pytestmark = pytest.mark.browser

ASSIGNMENT = "reinforce"
COURSE_ID = "pglab"
# The misconception grading diagnoses as "grad_log_prob.sign" (tests/corpus/mutants).
WRONG_GRAD_LOG_PROB = (
    "def grad_log_prob(theta, actions):\n"
    "    return sigmoid(theta) - np.asarray(actions, dtype=float)\n"
)
KERNEL_TIMEOUT = 120_000
expect.set_options(timeout=60_000)  # a shared 2-core machine can be slow
VALIDATE_TIMEOUT = 300_000


class Journey:
    """What each journey hands on to the next (they run in file order)."""

    worked = False  # journey 1 left a filled-in notebook (with the wrong grad_log_prob)
    autograded = False  # journey 2 collected and autograded the submission


def requires(step: str) -> None:
    if not getattr(Journey, step):
        pytest.fail(f"an earlier journey did not complete ({step}); see its failure above")


# --- JupyterLab helpers ---------------------------------------------------------------------


def nbgrader_menu(page: Page, item: str) -> None:
    page.locator('#jp-menu-panel div.lm-MenuBar-itemLabel:text-is("Nbgrader")').click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def open_assignments(page: Page) -> None:
    nbgrader_menu(page, "Assignment List")
    expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_have_text(
        re.compile("Assignments")
    )


def wait_for_list(page: Page, name: str, rows: int = 1):
    """One of the Assignments panel's lists, loaded, with the expected number of rows."""
    for state in ("loading", "placeholder", "error"):
        expect(page.locator(f"#{name}_assignments_list_{state}")).to_be_hidden()
    items = page.locator(f"#{name}_assignments_list > .list_item")
    expect(items).to_have_count(rows)
    return items


def notebook(page: Page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def release_notebook(lab) -> nbformat.NotebookNode:
    return nbformat.read(lab.course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)


def release_ids(lab) -> list[str | None]:
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in release_notebook(lab).cells]


def code_cells(lab) -> list[int]:
    return [i for i, c in enumerate(release_notebook(lab).cells) if c.cell_type == "code"]


def replace_cell(page: Page, index: int, text: str, markdown: bool = False) -> None:
    """Select a cell's text and type over it, as a student would."""
    cell = notebook(page).locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    if markdown:
        cell.dblclick()  # rendered markdown -> editor
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    # Render a markdown answer in place (Ctrl+Enter: no new cell below); leave the editor.
    page.keyboard.press("Control+Enter" if markdown else "Escape")


def save(page: Page) -> None:
    page.keyboard.press("Control+s")
    expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-dirty")).to_have_count(0)


def validate(page: Page):
    notebook(page).locator("jp-button.validate-button").click()
    dialog = page.locator(".nbgrader-SuccessDialog, .nbgrader-ErrorDialog")
    dialog.wait_for(timeout=VALIDATE_TIMEOUT)
    return dialog


def close_dialog(page: Page) -> None:
    page.locator(".jp-Dialog button.jp-Dialog-button").click()
    expect(page.locator(".jp-Dialog")).to_have_count(0)


# --- the journeys ---------------------------------------------------------------------------


def test_student_fetches_works_and_validates(lab, page: Page, shots) -> None:
    lab.nbgrader("release_assignment", ASSIGNMENT, "--force")  # the instructor releases
    ids = release_ids(lab)
    source = nbformat.read(lab.course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    code = solution_code(source)

    open_assignments(page)
    released = wait_for_list(page, "released")
    expect(released.first.locator(".item_name")).to_have_text(ASSIGNMENT)
    expect(released.first.locator(".item_course")).to_have_text(COURSE_ID)
    shots(page, "released")
    released.first.locator(".item_status button").click()  # Fetch

    fetched = wait_for_list(page, "fetched")
    expect(fetched.first.get_by_role("button", name="Submit")).to_be_visible()
    assert (lab.student_dir / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    page.locator("#fetched_assignments_list a.assignment-notebooks-link").click()
    notebooks = page.locator(f"#nbgrader-{COURSE_ID}-{ASSIGNMENT} .nested_list_item")
    expect(notebooks).to_have_count(1)
    shots(page, "fetched")
    notebooks.first.locator(".item_name a").click()

    # The notebook opens with a running kernel.
    expect(notebook(page).locator(".jp-Cell").first).to_be_visible()
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=KERNEL_TIMEOUT)
    shots(page, "opened")

    for grade_id, text in code.items():
        replace_cell(page, ids.index(grade_id), text)
    for grade_id, text in WRITTEN_ANSWERS.items():
        replace_cell(page, ids.index(grade_id), text, markdown=True)
    cell = notebook(page).locator(".jp-Notebook .jp-Cell").nth(ids.index("grad_log_prob"))
    cell.scroll_into_view_if_needed()
    shots(page, "filled")

    # Run all cells: every code cell gets an execution count, no errors, the plots render.
    page.locator('#jp-menu-panel div.lm-MenuBar-itemLabel:text-is("Run")').click()
    page.locator("li[data-command='runmenu:run-all']").click()
    page.wait_for_function(
        """(n) => {
            const prompts = [...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        arg=len(code_cells(lab)),
        timeout=KERNEL_TIMEOUT,
    )
    outputs = notebook(page).locator(".jp-OutputArea-output")
    expect(notebook(page).locator(".jp-OutputArea-output[data-mime-type*='stderr']")).to_have_count(
        0
    )
    expect(notebook(page).locator(".jp-RenderedImage img")).to_have_count(3)
    assert outputs.count() > 0
    plot = notebook(page).locator(".jp-RenderedImage img").first
    plot.scroll_into_view_if_needed()
    expect(plot).to_be_visible()
    assert plot.evaluate("img => img.naturalWidth") > 300  # a real figure, not a broken image
    shots(page, "plots")

    save(page)
    dialog = validate(page)
    expect(dialog).to_have_class(re.compile("nbgrader-SuccessDialog"))
    expect(dialog).to_contain_text("Success! Your notebook passes all the tests.")
    shots(page, "validate-success")
    close_dialog(page)

    # A wrong score function: Validate names the failing check in the student's terms.
    replace_cell(page, ids.index("grad_log_prob"), WRONG_GRAD_LOG_PROB)
    save(page)
    dialog = validate(page)
    expect(dialog).to_have_class(re.compile("nbgrader-ErrorDialog"))
    expect(dialog.locator(".validation-failed")).to_be_visible()
    text = dialog.inner_text()
    assert re.search(
        r"AssertionError: grad_log_prob at theta=-2\.0 against a finite difference of log pi: "
        r"expected \S+, got \S+",
        text,
    ), text
    assert not re.search(r"AssertionError\s*$", text, re.MULTILINE), "a bare AssertionError"
    # Show the message itself, at the end of the first traceback.
    traceback = dialog.locator(".jp-RenderedText pre").first
    traceback.evaluate(
        "pre => { pre.scrollTop = pre.scrollHeight; pre.scrollIntoView({block: 'end'}); }"
    )
    shots(page, "validate-friendly-failure")
    close_dialog(page)
    Journey.worked = True


def test_student_submits_and_reads_feedback(lab, page: Page, shots) -> None:
    requires("worked")
    student = get_username()

    open_assignments(page)
    fetched = wait_for_list(page, "fetched")
    fetched.first.get_by_role("button", name="Submit").click()
    submitted = wait_for_list(page, "submitted")
    expect(submitted.first.locator(".item_name").first).to_have_text(ASSIGNMENT)
    expect(page.locator(f"#nbgrader-{COURSE_ID}-{ASSIGNMENT}-submissions")).to_contain_text("UTC")
    shots(page, "submitted")

    # The instructor: collect, autograde (pglab's sandboxed grading), feedback, release it.
    lab.nbgrader("collect", ASSIGNMENT)
    assert (lab.course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    lab.nbgrader("autograde", ASSIGNMENT)
    Journey.autograded = True
    lab.nbgrader("generate_feedback", ASSIGNMENT)
    lab.nbgrader("release_feedback", ASSIGNMENT)

    # The student: refresh, fetch the feedback, open it from the Assignments panel.
    page.locator("#refresh_assignments_list").click()
    submissions = page.locator(f"#nbgrader-{COURSE_ID}-{ASSIGNMENT}-submissions")
    expect(submissions).to_contain_text("feedback available to fetch")
    shots(page, "feedback-available")
    submitted = wait_for_list(page, "submitted")
    submitted.first.get_by_role("button", name="Fetch Feedback").click()
    view = submissions.get_by_text("(view feedback)")
    expect(view).to_be_visible()
    view.click()
    html = page.locator("#filebrowser .jp-DirListing-item", has_text=f"{ASSIGNMENT}.html")
    expect(html).to_be_visible()
    shots(page, "feedback-fetched")
    html.dblclick()

    frame = page.frame_locator(".jp-HTMLViewer:not(.lm-mod-hidden) iframe")
    diagnosis = frame.get_by_text("Your score function has the wrong sign").first
    expect(diagnosis).to_be_visible()
    text = frame.locator("body").inner_text()
    assert "[diagnosis: grad_log_prob.sign]" in text
    assert "Score: 0.0 / 2.0" in text  # test_grad_log_prob lost its points ...
    assert re.search(r"Score: 2\.0 / 2\.0", text)  # ... and the correct cells kept theirs
    for secret in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "_pglab"):
        assert secret not in text, f"feedback shows {secret!r}"
    # The same for the file the student received (hidden code can't hide in markup either).
    files = list((lab.student_dir / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(files) == 1, files
    raw = files[0].read_text()
    assert "wrong sign" in raw
    for secret in ("BEGIN HIDDEN TESTS", "_pglab"):
        assert secret not in raw, f"feedback file contains {secret!r}"
    diagnosis.scroll_into_view_if_needed()
    shots(page, "feedback-diagnosis")


def test_ta_grades_written_answers_in_formgrader(lab, page: Page, shots) -> None:
    requires("autograded")
    student = get_username()
    before = total_score(lab, student)

    nbgrader_menu(page, "Formgrader")
    formgrader = page.frame_locator("#jp-main-dock-panel iframe[src*='formgrader']")
    expect(formgrader.get_by_text("Manage Assignments").first).to_be_visible()
    shots(page, "formgrader")

    link = formgrader.get_by_role("link", name="Manual Grading")
    follow(formgrader, link, "Manual Grading")
    link = formgrader.get_by_role("link", name=ASSIGNMENT, exact=True)
    follow(formgrader, link, "Manual Grading", ASSIGNMENT)
    follow(formgrader, link, "Manual Grading", ASSIGNMENT, ASSIGNMENT)  # the notebook
    row = formgrader.locator("tbody tr", has_text="Submission #1")
    # Columns: overall score, code, written (every written answer: written_points()), task.
    expect(row).to_have_text(score_row(before, 0))
    shots(page, "submissions-before")
    row.get_by_role("link").first.click()

    # The grading view: the student's answer, a score box next to it.
    answer = formgrader.locator("input.score#answer_constant_baseline")
    expect(answer).to_be_visible()
    wait_for_grading_view(answer)
    written = WRITTEN_ANSWERS["answer_constant_baseline"][:40]
    expect(formgrader.locator("p", has_text=written)).to_be_visible()
    answer.scroll_into_view_if_needed()
    answer.fill("2")
    answer.press("Tab")  # formgrader saves a score when the box loses focus
    loo = formgrader.locator("input.score#answer_leave_one_out")
    loo.fill("1.5")
    loo.press("Tab")
    after = before + 3.5
    deadline = time.monotonic() + 60  # formgrader saves in the background
    while total_score(lab, student) != pytest.approx(after) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert total_score(lab, student) == pytest.approx(after)
    shots(page, "graded")

    # Back in the list of submissions (the breadcrumb): the total went up by the TA's points.
    formgrader.locator(".breadcrumb a", has_text=ASSIGNMENT).last.click()
    row = formgrader.locator("tbody tr", has_text="Submission #1")
    expect(row).to_have_text(score_row(after, 3.5))
    shots(page, "submissions-after")


def written_points() -> float:
    """The points of the assignment's written answers (manually graded markdown cells)."""
    source = nbformat.read(REPOSITORY / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    return sum(
        cell.metadata["nbgrader"]["points"]
        for cell in source.cells
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("grade")
    )


def score_row(total: float, written: float) -> re.Pattern:
    """A formgrader submissions row: overall score, then code, then written."""
    return re.compile(
        rf"Submission #1.*?{re.escape(f'{total:g}')} / [\d.]+\s*[\d.]+ / [\d.]+\s*"
        rf"{re.escape(f'{written:g}')} / {re.escape(f'{written_points():g}')}"
    )


def total_score(lab, student: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{lab.course / 'gradebook.db'}") as gradebook:
        return float(gradebook.find_submission(ASSIGNMENT, student).score)


def test_actor_critic_notebook_runs_in_the_lab(lab, page: Page, shots) -> None:
    """The released actor_critic notebook with the instructor's solution typed in: every code
    cell runs in the lab's kernel (PyTorch imports, the losses backpropagate, the training runs)
    without an error, and its figures render."""
    name = "actor_critic"
    source = nbformat.read(REPOSITORY / "source" / name / f"{name}.ipynb", 4)
    release = nbformat.read(REPOSITORY / "release" / name / f"{name}.ipynb", 4)
    folder = lab.student_dir / name
    folder.mkdir(exist_ok=True)
    nbformat.write(fill(release, solution_code(source)), folder / f"{name}.ipynb")
    code = sum(cell.cell_type == "code" for cell in release.cells)

    page.goto(f"{lab.url}/lab/tree/student/{name}/{name}.ipynb?token={lab.token}")
    expect(notebook(page).locator(".jp-Cell").first).to_be_visible()
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=KERNEL_TIMEOUT)
    page.locator('#jp-menu-panel div.lm-MenuBar-itemLabel:text-is("Run")').click()
    page.locator("li[data-command='runmenu:run-all']").click()
    page.wait_for_function(
        """(n) => {
            const prompts = [...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        arg=code,
        timeout=4 * KERNEL_TIMEOUT,
    )
    expect(notebook(page).locator(".jp-OutputArea-output[data-mime-type*='stderr']")).to_have_count(
        0
    )
    plot = notebook(page).locator(".jp-RenderedImage img").last
    plot.scroll_into_view_if_needed()
    expect(plot).to_be_visible()
    assert plot.evaluate("img => img.naturalWidth") > 300
    shots(page, "actor-critic-plots")
