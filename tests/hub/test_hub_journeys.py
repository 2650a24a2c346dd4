"""A week of the course through the hub of `make hub`, in headless Chromium (Playwright).

Real Linux users log in with their passwords; each student works in their own JupyterLab,
the instructor and the TA in the grader account's JupyterLab (Formgrader). The journeys run
in file order and build on each other:

1. a wrong password is refused;
2. the instructor releases ``reinforce`` in Formgrader (inside JupyterLab: the frame fix);
3. student1 sees no instructor tools, fetches the assignment from the Assignments panel,
   completes it, validates and submits;
4. student2 fetches and submits a wrong solution;
5. student1 gets 403 on student2's, the instructor's and the grader's servers and cannot
   read their files or the exchange's inbox;
6. the instructor collects in Formgrader and autogrades with `pglab grade` in a terminal;
7. the TA grades the written answers in Formgrader;
8. the instructor generates and releases feedback; student1 fetches it and reads the
   diagnosis, with no hidden test code.

Screenshots of every step: artifacts/hub/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest
from browser_support import WRITTEN_ANSWERS, follow, wait_for_grading_view
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from pglab.submissions import build_submission, solution_code

pytestmark = [pytest.mark.hub, pytest.mark.browser]

ASSIGNMENT = "reinforce"
# student1's slip: the score function with the wrong sign (diagnosed as grad_log_prob.sign).
WRONG_GRAD_LOG_PROB = (
    "def grad_log_prob(theta, actions):\n"
    "    return sigmoid(theta) - np.asarray(actions, dtype=float)\n"
)
# student2's wrong solution: the leave-one-out baseline that keeps the sample itself.
STUDENT2_SUBMISSION = (
    "def leave_one_out_baseline(rewards):\n"
    "    rewards = np.asarray(rewards, dtype=float)\n"
    "    return np.full(rewards.shape, rewards.mean())\n"
)
expect.set_options(timeout=60_000)
VALIDATE_TIMEOUT = 300_000
GRADE_TIMEOUT = 300


class Story:
    """What each journey hands on to the next."""

    released = submitted = wrong_submitted = autograded = ta_graded = False


def requires(step: str) -> None:
    if not getattr(Story, step):
        pytest.fail(f"an earlier journey did not complete ({step}); see its failure above")


# --- JupyterLab and Formgrader helpers ------------------------------------------------------


def nbgrader_menu(page: Page):
    """The Nbgrader menu, open (a click on its label while it is open closes it)."""
    label = page.locator('#jp-menu-panel div.lm-MenuBar-itemLabel:text-is("Nbgrader")')
    menu = page.locator(".lm-Menu-content").filter(
        has=page.get_by_role("menuitem", name="Assignment List", exact=True)
    )
    for _ in range(3):
        label.click()
        try:
            menu.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    return menu


def open_menu_item(page: Page, item: str) -> None:
    nbgrader_menu(page)
    page.get_by_role("menuitem", name=item, exact=True).click()


def formgrader(page: Page):
    """The Formgrader tab of the grader's JupyterLab, opened (or brought back) on Manage
    Assignments."""
    open_menu_item(page, "Formgrader")
    selector = "#jp-main-dock-panel iframe[src*='formgrader']"
    # The link loads a new page in the frame. Until it has, the old page's table is still
    # visible, and an action clicked there is lost with it: its request is answered, but
    # the modal that reports it would open on a page that is gone (a loaded machine made
    # this happen). So wait for the new page itself.
    inner = page.locator(selector).element_handle(timeout=60_000).content_frame()
    inner.wait_for_load_state()
    with inner.expect_navigation(timeout=120_000):
        inner.get_by_role("link", name="Manage Assignments").click()
    frame = page.frame_locator(selector)
    expect(frame.locator("#main-table tr", has_text=ASSIGNMENT).first).to_be_visible()
    return frame


def assignment_row(frame):
    return frame.locator("#main-table tr").filter(
        has=frame.locator(f"td.name[data-order='{ASSIGNMENT}']")
    )


def formgrader_action(frame, column: str, success: str) -> None:
    """Click one of Manage Assignments' action icons; nbgrader answers in a modal."""
    assignment_row(frame).locator(f"td.{column} a").click()
    modal = frame.locator("#success-modal, #error-modal")
    expect(modal).to_be_visible(timeout=GRADE_TIMEOUT * 1000)
    expect(modal).to_contain_text(success)
    return modal


def close_modal(frame) -> None:
    frame.locator(".modal.in .modal-footer button").click()
    expect(frame.locator(".modal.in")).to_have_count(0)


def wait_for_list(page: Page, name: str, rows: int = 1):
    for state in ("loading", "placeholder", "error"):
        expect(page.locator(f"#{name}_assignments_list_{state}")).to_be_hidden()
    items = page.locator(f"#{name}_assignments_list > .list_item")
    expect(items).to_have_count(rows)
    return items


def open_assignments(page: Page) -> None:
    open_menu_item(page, "Assignment List")
    expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_have_text(
        re.compile("Assignments")
    )


def notebook(page: Page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def replace_cell(page: Page, index: int, text: str, markdown: bool = False) -> None:
    cell = notebook(page).locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    if markdown:
        cell.dblclick()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
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


def release_notebook(hub) -> nbformat.NotebookNode:
    return nbformat.read(hub.course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)


def source_notebook(hub) -> nbformat.NotebookNode:
    return nbformat.read(hub.course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)


def grade_ids(nb: nbformat.NotebookNode) -> list[str | None]:
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


def fetch_from_panel(page: Page) -> None:
    open_assignments(page)
    released = wait_for_list(page, "released")
    expect(released.first.locator(".item_name")).to_have_text(ASSIGNMENT)
    released.first.locator(".item_status button").click()  # Fetch
    fetched = wait_for_list(page, "fetched")
    expect(fetched.first.get_by_role("button", name="Submit")).to_be_visible()


def submit_from_panel(page: Page) -> None:
    open_assignments(page)
    page.locator("#refresh_assignments_list").click()
    fetched = wait_for_list(page, "fetched")
    fetched.first.get_by_role("button", name="Submit").click()
    submitted = wait_for_list(page, "submitted")
    expect(submitted.first.locator(".item_name").first).to_have_text(ASSIGNMENT)


def scores(hub) -> dict[str, float]:
    """Each student's total in the course's gradebook (read by root, outside the hub)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hub.course / 'gradebook.db'}") as gradebook:
        return {
            s.student.id: float(s.score) for s in gradebook.find_assignment(ASSIGNMENT).submissions
        }


def code_points(hub) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hub.course / 'gradebook.db'}") as gradebook:
        return float(gradebook.find_assignment(ASSIGNMENT).max_code_score)


# --- the journeys ---------------------------------------------------------------------------


def test_make_hub_creates_missing_accounts_only(hub) -> None:
    """An account that existed before `make hub` keeps its password and its home byte for
    byte; `make hub` says so, and only the accounts it created got (and print) passwords.
    Run again, it changes no password at all."""
    assert hub.existing.changes() == []
    assert (
        f"existing accounts left as they are (passwords unchanged): {hub.existing.user}"
        in hub.setup_log
    ), hub.setup_log
    created = {hub.instructor, hub.ta, hub.student1, hub.student2}
    for user in created:
        assert f"created user {user} with a new password" in hub.setup_log, hub.setup_log
    assert f"created the grader account {hub.grader} (password locked" in hub.setup_log
    assert set(hub.passwords) == created

    before = {user: hub.shadow(user) for user in hub.users}
    again = hub.make("hub")
    assert again.returncode == 0, again.stdout + again.stderr
    assert {user: hub.shadow(user) for user in hub.users} == before
    assert "hub: created" not in again.stdout, again.stdout
    assert "existing accounts left as they are" in again.stdout
    assert hub.existing.changes() == []


def test_make_hub_puts_the_roster_into_the_gradebook(hub) -> None:
    """The roster's students are nbgrader Student records with their names, as a course with
    a roster has them, so that Formgrader does not show "None, None"."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hub.course / 'gradebook.db'}") as gradebook:
        names = {s.id: f"{s.last_name}, {s.first_name}" for s in gradebook.students}
        email = gradebook.find_student(hub.student1).email
    assert names == hub.roster_names
    assert email == "ada@example.org"


def test_wrong_password_is_refused(hub, people, shots) -> None:
    page = people.new_page()
    try:
        people.login_form(page, hub.student1, "not-" + hub.passwords[hub.student1])
        expect(page.get_by_text("Invalid username or password")).to_be_visible()
        assert "/hub/login" in page.url
        shots(page, "student1-wrong-password-refused")
        # No server was started for the refused login.
        response = page.request.get(f"{hub.url}/user/{hub.student1}/api/status")
        assert response.url.startswith(f"{hub.url}/hub/login"), response.url
    finally:
        page.context.close()


def test_instructor_releases_in_formgrader(hub, people, shots) -> None:
    page = people.page(hub.instructor, hub.grader)
    frame = formgrader(page)
    # The frame fix: the grader's server lets its own origin frame Formgrader.
    policy = page.request.get(f"{hub.url}/user/{hub.grader}/formgrader").headers
    assert policy.get("content-security-policy") == "frame-ancestors 'self'", policy
    shots(page, "instructor-formgrader-in-jupyterlab")

    modal = formgrader_action(frame, "release", f"Successfully released '{ASSIGNMENT}'")
    shots(page, "instructor-released")
    close_modal(frame)
    expect(assignment_row(frame).locator("td.status")).to_have_text("released")
    outbound = hub.exchange / hub.course_id / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert outbound.is_file() and modal is not None
    Story.released = True


def test_student1_completes_validates_and_submits(hub, people, shots) -> None:
    requires("released")
    page = people.page(hub.student1)
    # Students get the Assignment List and the Course List, and no instructor tools.
    menu = nbgrader_menu(page)
    expect(menu.get_by_role("menuitem", name="Assignment List", exact=True)).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Course List", exact=True)).to_be_visible()
    for hidden in ("Formgrader", "Create Assignment"):
        expect(menu.get_by_role("menuitem", name=hidden, exact=True)).to_have_count(0)
    shots(page, "student1-nbgrader-menu")
    # Escape closes the menu when it has the focus; a click on the empty bottom of the
    # launcher closes it when it has not (seen on a loaded machine).
    for attempt in range(5):
        if attempt % 2:
            page.mouse.click(1300, 860)
        else:
            page.keyboard.press("Escape")
        try:
            expect(page.locator(".lm-Menu")).to_have_count(0, timeout=5_000)
            break
        except AssertionError:
            continue
    expect(page.locator(".lm-Menu")).to_have_count(0)
    assert page.request.get(f"{hub.url}/user/{hub.student1}/formgrader").status == 404
    # Students' servers keep JupyterHub's policy: no page may frame them.
    policy = page.request.get(f"{hub.url}/user/{hub.student1}/lab").headers
    assert "frame-ancestors 'none'" in policy.get("content-security-policy", "").split("; ")

    fetch_from_panel(page)
    mine = hub.home(hub.student1) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert mine.is_file() and mine.stat().st_uid == hub.uid(hub.student1)
    shots(page, "student1-fetched")
    page.locator("#fetched_assignments_list a.assignment-notebooks-link").click()
    page.locator(f"#nbgrader-{hub.course_id}-{ASSIGNMENT} .nested_list_item .item_name a").click()
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=120_000)

    ids = grade_ids(release_notebook(hub))
    for grade_id, text in solution_code(source_notebook(hub)).items():
        replace_cell(page, ids.index(grade_id), text)
    for grade_id, text in WRITTEN_ANSWERS.items():
        replace_cell(page, ids.index(grade_id), text, markdown=True)
    save(page)
    dialog = validate(page)
    expect(dialog).to_contain_text("Success! Your notebook passes all the tests.")
    shots(page, "student1-validate-success")
    close_dialog(page)

    # A last-minute "simplification" of the score function; Validate says what is wrong,
    # in the student's terms, and the student submits anyway.
    replace_cell(page, ids.index("grad_log_prob"), WRONG_GRAD_LOG_PROB)
    save(page)
    dialog = validate(page)
    expect(dialog).to_contain_text("grad_log_prob at theta=-2.0 against a finite difference")
    shots(page, "student1-validate-failure")
    close_dialog(page)

    submit_from_panel(page)
    shots(page, "student1-submitted")
    Story.submitted = True


def test_student2_submits_a_wrong_solution(hub, people, shots) -> None:
    requires("released")
    page = people.page(hub.student2)
    fetch_from_panel(page)
    # student2 edits the notebook (their own file, written as student2) ...
    work = hub.home(hub.student2) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    wrong = build_submission(release_notebook(hub), source_notebook(hub), STUDENT2_SUBMISSION)
    hub.as_user(hub.student2, "tee", str(work), input=nbformat.writes(wrong).encode())
    # ... and submits it from the Assignments panel.
    submit_from_panel(page)
    shots(page, "student2-submitted")
    Story.wrong_submitted = True


def test_students_cannot_reach_other_servers_or_files(hub, people, shots) -> None:
    requires("wrong_submitted")
    page = people.page(hub.student1)
    for other in (hub.student2, hub.instructor, hub.grader):
        response = page.goto(f"{hub.url}/user/{other}/lab")
        assert response.status == 403, (other, response.status, page.url)
        if other == hub.student2:
            shots(page, "student1-403-on-student2")
        api = page.request.get(f"{hub.url}/user/{other}/api/contents")
        assert api.status in (403, 404) or "/hub/login" in api.url, (other, api.status, api.url)
        assert f'"path": "{ASSIGNMENT}"' not in api.text()
    # The files, as student1 at a shell: other homes are private, the inbox is write-only.
    inbound = hub.exchange / hub.course_id / "inbound"
    for target in (
        hub.home(hub.student2) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        hub.course / "gradebook.db",
        hub.course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
    ):
        denied = hub.as_user(hub.student1, "cat", str(target), check=False)
        assert denied.returncode != 0 and b"Permission denied" in denied.stderr, target
    listing = hub.as_user(hub.student1, "ls", str(inbound), check=False)
    assert listing.returncode != 0 and b"Permission denied" in listing.stderr
    assert len(list(inbound.iterdir())) == 2  # both submissions are there (root can see)
    page.goto(f"{hub.url}/user/{hub.student1}/lab")
    page.wait_for_selector("#jp-main-dock-panel", timeout=120_000)


def test_instructor_collects_and_autogrades(hub, people, shots) -> None:
    requires("submitted")
    requires("wrong_submitted")
    page = people.page(hub.instructor, hub.grader)
    frame = formgrader(page)
    formgrader_action(frame, "collect", "Successfully collected submissions")
    close_modal(frame)
    expect(assignment_row(frame).locator("td.num-submissions")).to_have_text("2")
    shots(page, "instructor-collected")

    # Autograding is `pglab grade` (sandboxed kernels), run as the grader account in the
    # course directory, as the grader's terminal would. (Typing it into a browser terminal
    # lost its keystrokes now and then on a loaded machine: the journey then waited for
    # nothing.)
    graded = hub.as_user(
        hub.grader,
        "bash",
        "-c",
        f"cd {hub.course} && pglab grade {ASSIGNMENT} --jobs 2 --quiet",
        check=False,
        # 25 s on a quiet machine; CI runs it beside the corpora's grading on the other core
        timeout=900,
    )
    artifacts = Path(__file__).resolve().parents[2] / "artifacts" / "hub"
    (artifacts / "pglab-grade.log").write_bytes(graded.stdout + graded.stderr)
    assert graded.returncode == 0, (graded.stdout + graded.stderr).decode()
    assert b"2 graded, 0 unchanged, 0 could not be graded" in graded.stdout, graded.stdout
    got = scores(hub)
    assert set(got) == {hub.student1, hub.student2}, got
    # Both lost the points of their mistake, and only those: a wrong sign costs the score
    # function's checks, the biased baseline the leave-one-out check.
    assert 0 < got[hub.student1] < code_points(hub) and 0 < got[hub.student2] < code_points(hub), (
        got
    )
    Story.autograded = True

    frame = formgrader(page)
    assignment_row(frame).locator("td.num-submissions a").click()
    expect(frame.locator("tbody tr")).to_have_count(2)
    shots(page, "instructor-submissions-autograded")


def test_ta_grades_the_written_answers(hub, people, shots) -> None:
    requires("autograded")
    before = scores(hub)[hub.student1]
    page = people.page(hub.ta, hub.grader)
    frame = formgrader(page)
    follow(frame, frame.get_by_role("link", name="Manage Students"), "Students")
    # The students table: the roster's names, as `make hub` wrote them, then the ids.
    for student, name in hub.roster_names.items():
        row = frame.locator("tbody tr").filter(has=frame.locator("td.id", has_text=student))
        expect(row.locator("td.name")).to_have_text(name)
    expect(frame.locator("td.name", has_text="None")).to_have_count(0)
    shots(page, "ta-students-by-name")
    student = frame.locator("tbody tr").filter(has=frame.locator("td.id", has_text=hub.student1))
    follow(frame, student.locator("td.name a"), "Students", hub.student1)
    assignment = frame.get_by_role("link", name=ASSIGNMENT, exact=True)
    follow(frame, assignment, "Students", hub.student1, ASSIGNMENT)
    assignment.click()  # the notebook: the grading view
    answer = frame.locator("input.score#answer_constant_baseline")
    expect(answer).to_be_visible()
    wait_for_grading_view(answer)
    expect(
        frame.locator("p", has_text=WRITTEN_ANSWERS["answer_constant_baseline"][:40])
    ).to_be_visible()
    answer.scroll_into_view_if_needed()
    answer.fill("2")
    answer.press("Tab")
    loo = frame.locator("input.score#answer_leave_one_out")
    loo.fill("1.5")
    loo.press("Tab")
    deadline = time.monotonic() + 60
    while scores(hub)[hub.student1] != pytest.approx(before + 3.5) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert scores(hub)[hub.student1] == pytest.approx(before + 3.5)
    shots(page, "ta-graded-written-answers")
    Story.ta_graded = True


def test_student1_reads_feedback_with_the_diagnosis(hub, people, shots) -> None:
    requires("ta_graded")
    # nbgrader's release_feedback reads each submission's submission_secret.txt from the
    # feedback folder, which generate_feedback copies from autograded/: `pglab grade` must
    # have copied it there from submitted/, as nbgrader autograde does.
    for student in (hub.student1, hub.student2):
        assert (hub.course / "autograded" / student / ASSIGNMENT / "submission_secret.txt").exists()
    page = people.page(hub.instructor, hub.grader)
    frame = formgrader(page)
    formgrader_action(frame, "generate-feedback", "Successfully generated feedback")
    close_modal(frame)
    formgrader_action(frame, "release-feedback", "Successfully released feedback")
    close_modal(frame)
    shots(page, "instructor-released-feedback")

    page = people.page(hub.student1)
    open_assignments(page)
    page.locator("#refresh_assignments_list").click()
    submissions = page.locator(f"#nbgrader-{hub.course_id}-{ASSIGNMENT}-submissions")
    expect(submissions).to_contain_text("feedback available to fetch")
    submitted = wait_for_list(page, "submitted")
    submitted.first.get_by_role("button", name="Fetch Feedback").click()
    view = submissions.get_by_text("(view feedback)")
    expect(view).to_be_visible()
    view.click()
    html = page.locator("#filebrowser .jp-DirListing-item", has_text=f"{ASSIGNMENT}.html")
    expect(html).to_be_visible()
    html.dblclick()
    frame = page.frame_locator(".jp-HTMLViewer:not(.lm-mod-hidden) iframe")
    diagnosis = frame.get_by_text("Your score function has the wrong sign").first
    expect(diagnosis).to_be_visible()
    text = frame.locator("body").inner_text()
    assert "[diagnosis: grad_log_prob.sign]" in text
    for secret in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "_pglab"):
        assert secret not in text, f"feedback shows {secret!r}"
    diagnosis.scroll_into_view_if_needed()
    shots(page, "student1-feedback-diagnosis")
    files = list((hub.home(hub.student1) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(files) == 1, files
    raw = files[0].read_text()
    for secret in ("BEGIN HIDDEN TESTS", "_pglab"):
        assert secret not in raw, f"feedback file contains {secret!r}"
    # The TA's points are in it.
    assert "2.0 / 2.0" in text and "1.5 / 2.0" in text


def test_the_journeys_left_the_existing_account_untouched(hub) -> None:
    """After everything the journeys did, the account that existed before (its password, its
    course directory and gradebook) is byte for byte as it was."""
    assert hub.existing.changes() == []
