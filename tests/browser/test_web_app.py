"""The task-management web app, end to end in headless Chromium against `formwork simulate`.

test_invite_assign_complete_and_report:
1. The administrator signs in and invites a member; the member's temporary password comes
   from the simulator's outbox (the Cognito invitation).
2. The administrator creates a task for the member, picking the assignee by name; it is due
   within 24 hours, so the board marks it "Due soon".
3. The member signs in in a fresh, phone-sized browser, sets a new password, sees the task and
   moves it to done.
4. The administrator's board is now stale: changing the task answers 409, which offers a
   reload; then the administrator sees the member's status-change notification (unread count),
   marks it read, and the dashboard's numbers change.
5. The console (/_formwork/, in a third browser) shows the mail and the logs: the member's
   invitation and assignment mail and the administrator's update mail in the outbox, the
   functions' START/REPORT lines in the logs; both pages update live (server-sent events, no
   reload) when the administrator invites someone and reloads the board. Then the other pages:
   the architecture, the users (a weak password refused in words, a temporary one set), the
   task in the tables (browse and query), the clock moved an hour (the hourly schedule runs
   once) and the schedule run now.
6. No browser's console has an error (the expected 409 and 400 aside).

test_edit_reassign_delete_people_and_deadlines: the administrator edits, reassigns and deletes
a task, changes a role, disables an account (whose sign-in then fails in words) and enables it
again; then the simulator's clock moves past a deadline: the expired tokens are renewed, the
task turns "Overdue" and the overdue notice arrives.

Screenshots of the steps go to FORMWORK_ARTIFACTS (default .build/browser-artifacts/).
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

#: Explicit waits: long enough for a loaded machine, never slept through.
WAIT = 30
NEW_PASSWORD = "Member-Passw0rd-2026!"
TEMPORARY_PASSWORD = re.compile(r"temporary password(?: is)?:?\s+(\S+)", re.IGNORECASE)


def temporary_password(body: str) -> str:
    """The temporary password in a Cognito invitation ("… the temporary password X and …")."""
    match = TEMPORARY_PASSWORD.search(body)
    assert match, f"no temporary password in the invitation: {body!r}"
    password = match.group(1)
    # The password ends the sentence when the message puts nothing after it.
    return password[:-1] if body.rstrip().endswith(password) and password.endswith(".") else password


# ---- waiting and finding ----


def wait(driver: WebDriver, timeout: float = WAIT) -> WebDriverWait:
    return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,))


def css(driver: WebDriver, selector: str):
    return driver.find_element(By.CSS_SELECTOR, selector)


def visible(driver: WebDriver, selector: str):
    return wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, selector)), f"{selector} is not visible")


def click(driver: WebDriver, selector: str) -> None:
    """Clicks the element once it is visible and enabled, finding it again if a re-render replaced it."""
    def attempt(d) -> bool:
        element = d.find_element(By.CSS_SELECTOR, selector)
        if not (element.is_displayed() and element.is_enabled()):
            return False
        element.click()
        return True
    wait(driver).until(attempt, f"{selector} could not be clicked")


def choose(driver: WebDriver, selector: str, *, value: str | None = None, text: str | None = None) -> None:
    """Picks an option of a <select> by value or visible text (again if a re-render replaced it)."""
    def attempt(d) -> bool:
        picker = Select(d.find_element(By.CSS_SELECTOR, selector))
        if value is not None:
            picker.select_by_value(value)
        else:
            picker.select_by_visible_text(text)
        return True
    wait(driver, 10).until(attempt, f"could not choose {value or text!r} in {selector}")


def text_of(driver: WebDriver, selector: str) -> str:
    return css(driver, selector).text.strip()


def attribute(driver: WebDriver, selector: str, name: str) -> str | None:
    return css(driver, selector).get_attribute(name)


def wait_attribute(driver: WebDriver, selector: str, name: str, expected: str) -> None:
    wait(driver).until(lambda d: attribute(d, selector, name) == expected,
                       f"{selector} [{name}] did not become {expected!r}")


def notifications_loaded(driver: WebDriver) -> None:
    wait_attribute(driver, "#notification-list", "aria-busy", "false")


def wait_text(driver: WebDriver, selector: str, expected: str) -> None:
    wait(driver).until(lambda d: text_of(d, selector) == expected, f"{selector} did not become {expected!r}")


def type_into(driver: WebDriver, selector: str, text: str) -> None:
    element = visible(driver, selector)
    element.clear()
    element.send_keys(text)


def body_state(driver: WebDriver) -> str | None:
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-state")


class Shots:
    """Numbered screenshots of the key steps: <test>-NN-<step>.png."""

    def __init__(self, directory: Path, test: str):
        self.directory = directory
        self.test = test
        self.number = 0
        for old in directory.glob(f"{test}-*.png"):
            old.unlink()

    def __call__(self, driver: WebDriver, name: str) -> None:
        self.number += 1
        driver.save_screenshot(str(self.directory / f"{self.test}-{self.number:02d}-{name}.png"))


# ---- the app's parts ----


def sign_in(driver: WebDriver, url: str, email: str, password: str) -> None:
    driver.get(url + "/")
    type_into(driver, "#sign-in-email", email)
    type_into(driver, "#sign-in-password", password)
    click(driver, "#sign-in-submit")


def signed_in(driver: WebDriver, role: str) -> None:
    wait(driver).until(lambda d: body_state(d) == "signed-in"
                       and d.find_element(By.TAG_NAME, "body").get_attribute("data-role") == role,
                       f"not signed in as {role}: {driver.find_element(By.ID, 'sign-in-error').text!r}")


def board_loaded(driver: WebDriver) -> None:
    wait(driver).until(lambda d: attribute(d, "#board", "data-loaded") == "true"
                       and attribute(d, "#board", "aria-busy") != "true", "the board did not load")


def navigate(driver: WebDriver, link: str, content: str) -> None:
    """Follows a main navigation link and waits until the view's content is loaded."""
    click(driver, link)
    # The view starts loading (aria-busy) when its link becomes the current page.
    wait_attribute(driver, link, "aria-current", "page")
    wait(driver).until(lambda d: attribute(d, content, "data-loaded") == "true"
                       and attribute(d, content, "aria-busy") != "true", f"{content} did not load")


def open_board(driver: WebDriver) -> None:
    navigate(driver, "#nav-board", "#board")


def open_users(driver: WebDriver) -> None:
    navigate(driver, "#nav-users", "#users-table")


def open_dashboard(driver: WebDriver) -> None:
    navigate(driver, "#nav-dashboard", "#dashboard")
    visible(driver, "#chart-status")


def card_selector(task_id: str, status: str | None = None) -> str:
    card = f'[data-testid="task-card"][data-task-id="{task_id}"]'
    return f'[data-testid="column-{status}"] {card}' if status else card


def user_row(email: str) -> str:
    return f'[data-testid="user-row"][data-email="{email}"]'


def stat(driver: WebDriver, key: str) -> str:
    return text_of(driver, f'[data-testid="stat-{key}"] .stat-value')


def unread(driver: WebDriver) -> int:
    return int(attribute(driver, "#unread-count", "data-count"))


def local_input(moment: datetime) -> str:
    """A datetime-local input's value for an instant, in this machine's (and the browser's) time zone."""
    return moment.astimezone().strftime("%Y-%m-%dT%H:%M")


def invite(driver: WebDriver, name: str, email: str, role: str = "member") -> None:
    type_into(driver, "#invite-name", name)
    type_into(driver, "#invite-email", email)
    choose(driver, "#invite-role", value=role)
    click(driver, "#invite-submit")
    visible(driver, user_row(email))
    assert name in text_of(driver, user_row(email)) and attribute(driver, user_row(email), "data-role") == role
    assert "Invited" in visible(driver, "#message-text").text


def invitation_password(simulator, email: str) -> str:
    deadline = time.monotonic() + WAIT
    while not (messages := simulator.outbox(email)):
        assert time.monotonic() < deadline, f"no invitation for {email} in the outbox"
        time.sleep(0.2)
    return temporary_password(messages[0]["body"])


def fill_task(driver: WebDriver, *, title: str | None = None, description: str | None = None,
              assignee: str | None = None, deadline: str | None = None, priority: str | None = None) -> None:
    """Fills the open task dialog; `assignee` is the option's visible text ("Name (e-mail)")."""
    if title is not None:
        type_into(driver, "#task-title", title)
    if description is not None:
        type_into(driver, "#task-description", description)
    if assignee is not None:
        choose(driver, "#task-assignee", text=assignee)
    if deadline is not None:
        # Typing into a datetime-local field depends on the browser's locale; set it as a script would.
        driver.execute_script(
            "const input = document.getElementById('task-deadline'); input.value = arguments[0];"
            "input.dispatchEvent(new Event('input', {bubbles: true}));"
            "input.dispatchEvent(new Event('change', {bubbles: true}));", deadline)
    if priority is not None:
        choose(driver, "#task-priority", value=priority)


def save_task(driver: WebDriver) -> None:
    click(driver, "#task-save")
    wait(driver).until(lambda d: not attribute(d, "#task-dialog", "open"),
                       f"the task dialog did not close: {driver.find_element(By.ID, 'task-form-error').text!r}")


def task_id_of(driver: WebDriver, title: str) -> str:
    def find(d):
        return d.execute_script(
            "const card = [...document.querySelectorAll('[data-testid=task-card]')]"
            ".find((c) => c.querySelector('.task-title').textContent === arguments[0]);"
            "return card ? card.dataset.taskId : null;", title)
    return wait(driver).until(find, f"no card titled {title!r}")


def create_task(driver: WebDriver, title: str, assignee: str, deadline: str, priority: str = "medium") -> str:
    click(driver, "#new-task")
    visible(driver, "#task-dialog")
    fill_task(driver, title=title, assignee=assignee, deadline=deadline, priority=priority)
    save_task(driver)
    return task_id_of(driver, title)


def set_status(driver: WebDriver, task_id: str, status: str) -> None:
    choose(driver, f'{card_selector(task_id)} [data-testid="task-status-select"]', value=status)
    click(driver, f'{card_selector(task_id)} [data-testid="task-status-save"]')


def assert_controls_labelled(driver: WebDriver) -> None:
    """Every form control in the page has an accessible name from a label or ARIA."""
    unlabelled = driver.execute_script("""
        return [...document.querySelectorAll('input, select, textarea')]
          .filter((c) => c.type !== 'hidden')
          .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
          .map((c) => c.id || c.name || c.outerHTML.slice(0, 80));
    """)
    assert unlabelled == [], f"form controls without a label: {unlabelled}"


def console_errors(driver: WebDriver, allowed=lambda entry: False) -> list[str]:
    """The console's SEVERE entries (get_log empties the browser's log), but the allowed ones."""
    return [f"{e.get('source', '')}: {e['message']}" for e in driver.get_log("browser")
            if e.get("level") == "SEVERE" and not allowed(e)]


def network_status(entry: dict, status: int, path: str = "") -> bool:
    """A network entry ("… Failed to load resource: … status of 409 …") for `path`."""
    message = entry.get("message", "")
    return entry.get("source") == "network" and f"status of {status}" in message and path in message


# ---- the console (/_formwork/) ----


def console_page(driver: WebDriver, name: str, live: bool = False) -> None:
    """Opens a console page from its navigation link; waits until its data is loaded (and its live feed connected)."""
    click(driver, f"#nav-{name}")
    wait_attribute(driver, f"#nav-{name}", "aria-current", "page")
    page = f"#page-{name}"
    wait(driver).until(lambda d: attribute(d, page, "data-loaded") == "true" and attribute(d, page, "aria-busy") != "true",
                       f"the console's {name} page did not load: {console_error_text(driver)!r}")
    if live:
        wait_attribute(driver, page, "data-live", "connected")


def console_error_text(driver: WebDriver) -> str:
    return " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "main .error") if e.is_displayed())


def outbox_rows(driver: WebDriver) -> list[tuple[str, str]]:
    """(recipients, subject) of each message the console's outbox lists, newest first."""
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#outbox-list .outbox-message')]"
        ".map((m) => [m.querySelector('.message-to').textContent, m.querySelector('.message-subject').textContent]);")
    return [tuple(row) for row in rows]


def log_lines(driver: WebDriver, function: str) -> list[str]:
    """The messages of the log lines the console shows for one function."""
    return driver.execute_script(
        "return [...document.querySelectorAll('#log-view .log-line')].filter((l) => l.dataset.function === arguments[0])"
        ".map((l) => l.querySelector('.log-message').textContent);", function)


def starts(driver: WebDriver, function: str) -> int:
    return sum(1 for line in log_lines(driver, function) if line.startswith("START RequestId:"))


def mark_page(driver: WebDriver) -> None:
    """Marks the loaded page; still_same_page() tells that it was not reloaded since."""
    driver.execute_script("window.formworkTestMark = 'not reloaded';")


def still_same_page(driver: WebDriver) -> bool:
    return driver.execute_script("return window.formworkTestMark === 'not reloaded';")


# ---- the tests ----


def test_invite_assign_complete_and_report(simulator, admin_account, browser_factory, artifacts):
    admin_email, admin_password = admin_account
    shot = Shots(artifacts, "flow")
    url = simulator.url
    member_name = "Mia Member"
    member_email = f"mia-{uuid.uuid4().hex[:8]}@example.com"
    title = "Prepare the December report"

    # 1. The administrator signs in and invites a member.
    admin = browser_factory("flow-admin", window=(1280, 1000))
    sign_in(admin, url, admin_email, admin_password)
    signed_in(admin, "admin")
    assert "Administrator" in text_of(admin, "#who")
    board_loaded(admin)
    shot(admin, "admin-board-empty")

    open_users(admin)
    invite(admin, member_name, member_email)
    assert_controls_labelled(admin)
    shot(admin, "admin-invited-member")
    password = invitation_password(simulator, member_email)

    # 2. The administrator creates a task for the member, due in 6 hours ("Due soon").
    open_board(admin)
    click(admin, "#new-task")
    visible(admin, "#task-dialog")
    # The dialog closes with Escape and gives focus back to the button that opened it.
    css(admin, "#task-title").send_keys(Keys.ESCAPE)
    wait(admin).until(lambda d: not attribute(d, "#task-dialog", "open"), "Escape did not close the dialog")
    assert admin.switch_to.active_element.get_attribute("id") == "new-task"
    click(admin, "#new-task")
    fill_task(admin, title=title, description="Collect the numbers and write the summary.",
              assignee=f"{member_name} ({member_email})",
              deadline=local_input(simulator.now() + timedelta(hours=6)), priority="high")
    assert_controls_labelled(admin)
    shot(admin, "admin-new-task-dialog")
    save_task(admin)
    task_id = task_id_of(admin, title)
    visible(admin, card_selector(task_id, "todo"))
    assert member_name in text_of(admin, f'{card_selector(task_id)} [data-testid="task-assignee"]')
    assert attribute(admin, card_selector(task_id), "data-deadline-state") == "due-soon"
    visible(admin, f'{card_selector(task_id)} [data-testid="badge-due-soon"]')
    shot(admin, "admin-task-created")

    open_dashboard(admin)
    wait_text(admin, '[data-testid="stat-todo"] .stat-value', "1")
    assert (stat(admin, "done"), stat(admin, "due-soon"), stat(admin, "completion")) == ("0", "1", "0%")
    shot(admin, "admin-dashboard-before")
    open_board(admin)
    visible(admin, card_selector(task_id, "todo"))

    # 3. The member signs in (a fresh, phone-sized browser), sets a password and finishes the task.
    member = browser_factory("flow-member", window=(412, 915))
    sign_in(member, url, member_email, password)
    visible(member, "#new-password")
    assert attribute(member, "#new-password-username", "value") == member_email
    type_into(member, "#new-password", NEW_PASSWORD)
    type_into(member, "#new-password-confirm", NEW_PASSWORD)
    shot(member, "member-new-password")
    click(member, "#new-password-submit")
    signed_in(member, "member")
    board_loaded(member)
    assert not css(member, "#new-task").is_displayed() and not css(member, "#nav-users").is_displayed()
    visible(member, card_selector(task_id, "todo"))
    assert title in text_of(member, card_selector(task_id))
    assert attribute(member, card_selector(task_id), "data-deadline-state") == "due-soon"
    wait(member).until(lambda d: unread(d) == 1, "the member has no unread assignment notification")
    assert_controls_labelled(member)
    shot(member, "member-board")

    set_status(member, task_id, "done")
    visible(member, card_selector(task_id, "done"))
    assert attribute(member, card_selector(task_id), "data-deadline-state") == "none"
    assert not member.find_elements(By.CSS_SELECTOR, card_selector(task_id, "todo"))
    # Focus follows the task into its new column.
    assert member.switch_to.active_element.get_attribute("data-testid") == "task-status-select"
    shot(member, "member-task-done")

    # 4. The administrator's board still shows version 1: a change answers 409 and offers a reload.
    set_status(admin, task_id, "in_progress")
    wait(admin).until(lambda d: attribute(d, "#message", "data-kind") == "error"
                      and css(d, "#message-action").is_displayed(), "no reload offered after a conflict")
    assert "changed" in text_of(admin, "#message-text")
    assert text_of(admin, "#message-action") == "Reload tasks"
    shot(admin, "admin-conflict")
    click(admin, "#message-action")
    visible(admin, card_selector(task_id, "done"))

    click(admin, "#refresh")
    wait(admin).until(lambda d: unread(d) == 1, "the administrator has no unread notification")
    assert visible(admin, "#unread-count").text == "1"
    click(admin, "#notifications-toggle")
    notifications_loaded(admin)
    unread_note = '[data-testid="notification"][data-read="false"]'
    wait(admin).until(lambda d: title in text_of(d, unread_note) and "done" in text_of(d, unread_note),
                      "the status-change notification does not name the task")
    assert attribute(admin, unread_note, "data-type") == "task_updated"
    shot(admin, "admin-notification")
    click(admin, '[data-testid="notification"][data-read="false"] [data-testid="notification-mark-read"]')
    wait(admin).until(lambda d: unread(d) == 0, "the notification was not marked read")
    assert not css(admin, "#unread-count").is_displayed()
    click(admin, "#notifications-close")

    open_dashboard(admin)
    wait_text(admin, '[data-testid="stat-done"] .stat-value', "1")
    assert (stat(admin, "todo"), stat(admin, "due-soon"), stat(admin, "completion")) == ("0", "0", "100%")
    assert member_name in visible(admin, '#assignee-table [data-testid="assignee-row"]').text
    shot(admin, "admin-dashboard-after")

    # The member signs out; the sign-in form is back.
    click(member, "#sign-out")
    visible(member, "#sign-in-email")
    assert body_state(member) == "signed-out"

    # 5. The console shows the mail and the logs (a third browser, the operator's).
    console = browser_factory("flow-console", window=(1280, 900))
    console.get(url + "/_formwork/")
    wait(console).until(lambda d: attribute(d, "#page-architecture", "data-loaded") == "true",
                        f"the console's architecture did not load: {console_error_text(console)!r}")
    assert text_of(console, "#blueprint-name") == "TaskManagement" and text_of(console, "#environment") == "dev"
    wait(console).until(lambda d: "09:00:00 UTC" in text_of(d, "#header-clock"), "the header does not show the simulator's clock")
    visible(console, '.node[data-id="TaskManagementFunction"]')
    shot(console, "console-architecture")
    click(console, '.node[data-id="TaskManagementFunction"]')
    wait(console).until(lambda d: "taskmgmt-dev-task-management" in text_of(d, "#resource-details"),
                        "the details do not name the function's local name")
    assert "TasksTable" in text_of(console, "#resource-details")
    shot(console, "console-architecture-details")

    console_page(console, "outbox", live=True)
    mail = [(member_email, "You are invited to Task Management"), (member_email, "A task was assigned to you"),
            (admin_email, "A task you created was updated")]
    wait(console).until(lambda d: all(m in outbox_rows(d) for m in mail), f"the outbox lacks some of {mail}")
    click(console, '#outbox-list .outbox-message[data-service="ses"] summary')
    assert title in visible(console, "#outbox-list .outbox-message[open] .body").text
    shot(console, "console-outbox")
    # Live: an invitation sent while the page is open shows up on top, without a reload.
    mark_page(console)
    newcomer = ("Noah Newcomer", f"noah-{uuid.uuid4().hex[:8]}@example.com")
    open_users(admin)
    invite(admin, *newcomer)
    wait(console).until(lambda d: outbox_rows(d)[:1] == [(newcomer[1], "You are invited to Task Management")],
                        "the new invitation did not show up live")
    assert still_same_page(console) and attribute(console, "#page-outbox", "data-live") == "connected"
    css(console, "#outbox-filter").send_keys(member_email)
    wait(console).until(lambda d: len([r for r in d.find_elements(By.CSS_SELECTOR, ".outbox-message") if r.is_displayed()]) == 2,
                        "the filter does not keep just the member's two messages")
    css(console, "#outbox-filter").clear()

    console_page(console, "logs", live=True)
    wait(console).until(lambda d: starts(d, "TaskManagementFunction") > 0 and starts(d, "UserManagementFunction") > 0,
                        "no START lines of the functions the flow called")
    task_lines = log_lines(console, "TaskManagementFunction")
    assert any(line.startswith("REPORT RequestId:") for line in task_lines), task_lines
    shot(console, "console-logs")
    # Live: the administrator reloads the board; its requests' lines show up without a reload.
    before = starts(console, "TaskManagementFunction")
    mark_page(console)
    click(admin, "#nav-board")
    click(admin, "#refresh")
    wait(console).until(lambda d: starts(d, "TaskManagementFunction") > before, "the board's requests did not show up live in the logs")
    assert still_same_page(console)

    console_page(console, "users")
    newcomer_row = f'.user-row[data-email="{newcomer[1]}"]'
    wait_attribute(console, f'.user-row[data-email="{member_email}"]', "data-status", "CONFIRMED")
    assert attribute(console, newcomer_row, "data-status") == "FORCE_CHANGE_PASSWORD"
    click(console, f'{newcomer_row} [data-action="reset-password"]')
    type_into(console, ".reset-form input[type=password]", "short")
    click(console, ".reset-form button[type=submit]")
    wait(console).until(lambda d: "password" in text_of(d, ".reset-form .error").lower(), "a weak password was not refused in words")
    type_into(console, ".reset-form input[type=password]", "Newcomer-Passw0rd-2026")
    click(console, ".reset-form button[type=submit]")
    wait(console).until(lambda d: f"{newcomer[1]} has a temporary password" in text_of(d, "#users-notice"), "the password was not set")
    assert_controls_labelled(console)
    shot(console, "console-users")

    console_page(console, "tables")
    click(console, '[data-table="taskmgmt-dev-tasks"]')
    wait(console).until(lambda d: text_of(d, "#table-name") == "taskmgmt-dev-tasks" and title in text_of(d, "#items-table"),
                        "the task is not among the tasks table's items")
    choose(console, "#query-form select[name=source]", value="ByStatus")
    type_into(console, "#query-form input[name=pk]", "done")
    click(console, "#query-submit")
    wait(console).until(lambda d: "Query ByStatus" in text_of(d, ".pager-title") and title in text_of(d, "#items-table"),
                        "the query by status did not find the task")
    click(console, "#items-table .item-row")
    assert task_id in visible(console, "#items-table .item-json pre").text
    assert_controls_labelled(console)
    console.execute_script("document.getElementById('query-form').scrollIntoView();")
    shot(console, "console-tables")

    console_page(console, "clock")
    click(console, '.step[data-duration="PT1H"]')
    visible(console, "#clock-change-report")
    assert text_of(console, '#changes-schedules tr[data-name="DeadlineReminders"] td.changed') == "+1"
    wait(console).until(lambda d: "10:00:00 UTC" in text_of(d, "#header-clock"), "the header clock did not follow the move")
    shot(console, "console-clock")

    console_page(console, "schedules")
    assert attribute(console, '.schedule-row[data-name="DeadlineReminders"]', "data-fires") == "1"
    click(console, '.schedule-row[data-name="DeadlineReminders"] [data-action="run-now"]')
    wait_attribute(console, "#run-result", "data-status", "succeeded")
    assert "START RequestId:" in text_of(console, "#run-result")
    shot(console, "console-schedules")

    # 6. No console errors, but the network lines of the 409 and the 400 this test caused on purpose.
    assert console_errors(admin, lambda e: network_status(e, 409, f"/tasks/{task_id}")) == []
    assert console_errors(member) == []
    assert console_errors(console, lambda e: network_status(e, 400, "/_formwork/aws")) == []


def test_edit_reassign_delete_people_and_deadlines(simulator, admin_account, browser_factory, artifacts):
    admin_email, admin_password = admin_account
    shot = Shots(artifacts, "manage")
    url = simulator.url
    ann, ben = ("Ann Archer", f"ann-{uuid.uuid4().hex[:8]}@example.com"), ("Ben Baker", f"ben-{uuid.uuid4().hex[:8]}@example.com")
    label = lambda person: f"{person[0]} ({person[1]})"  # noqa: E731

    admin = browser_factory("manage-admin", window=(1280, 1000))
    sign_in(admin, url, admin_email, admin_password)
    signed_in(admin, "admin")
    open_users(admin)
    invite(admin, *ann)
    invite(admin, *ben)
    ann_password = invitation_password(simulator, ann[1])

    # Two tasks for Ann: one due in 2 hours, one in 3 days.
    open_board(admin)
    now = simulator.now()
    soon = create_task(admin, "Call the supplier", label(ann), local_input(now + timedelta(hours=2)), "high")
    later = create_task(admin, "Draft the budget", label(ann), local_input(now + timedelta(days=3)))
    wait_attribute(admin, card_selector(soon), "data-deadline-state", "due-soon")
    assert attribute(admin, card_selector(later), "data-deadline-state") == "none"

    # Edit: a new title and priority, and reassigned to Ben.
    click(admin, f'{card_selector(later)} [data-testid="task-edit"]')
    visible(admin, "#task-dialog")
    assert attribute(admin, "#task-title", "value") == "Draft the budget"
    assert Select(css(admin, "#task-assignee")).first_selected_option.text == label(ann)
    fill_task(admin, title="Draft the 2027 budget", assignee=label(ben), priority="low")
    shot(admin, "edit-dialog")
    save_task(admin)
    wait(admin).until(lambda d: ben[0] in text_of(d, f'{card_selector(later)} [data-testid="task-assignee"]'),
                      "the task was not reassigned")
    assert "Draft the 2027 budget" in text_of(admin, card_selector(later))
    assert f"now assigned to {ben[0]}" in text_of(admin, "#message-text")
    # Focus is back on the Edit button that opened the dialog.
    assert admin.switch_to.active_element.get_attribute("data-testid") == "task-edit"
    assert attribute(admin, card_selector(later), "data-version") == "2"

    # The filter shows one person's tasks.
    choose(admin, "#filter-assignee", text=ann[0])
    wait(admin).until(lambda d: not d.find_elements(By.CSS_SELECTOR, card_selector(later)), "the filter kept Ben's task")
    visible(admin, card_selector(soon))
    choose(admin, "#filter-assignee", value="")
    visible(admin, card_selector(later))

    # Delete, after a confirmation (cancelled once).
    click(admin, f'{card_selector(later)} [data-testid="task-delete"]')
    visible(admin, "#confirm-dialog")
    click(admin, "#confirm-cancel")
    wait(admin).until(lambda d: not attribute(d, "#confirm-dialog", "open"))
    visible(admin, card_selector(later))
    click(admin, f'{card_selector(later)} [data-testid="task-delete"]')
    visible(admin, "#confirm-dialog")
    shot(admin, "delete-confirmation")
    click(admin, "#confirm-ok")
    wait(admin).until(lambda d: not d.find_elements(By.CSS_SELECTOR, card_selector(later)), "the task was not deleted")
    assert "Deleted" in text_of(admin, "#message-text")

    # People: Ben becomes an administrator and a member again; Ann is disabled, then enabled.
    open_users(admin)
    choose(admin, f'{user_row(ben[1])} [data-testid="user-role"]', value="admin")
    click(admin, f'{user_row(ben[1])} [data-testid="user-save-role"]')
    wait_attribute(admin, user_row(ben[1]), "data-role", "admin")
    choose(admin, f'{user_row(ben[1])} [data-testid="user-role"]', value="member")
    click(admin, f'{user_row(ben[1])} [data-testid="user-save-role"]')
    wait_attribute(admin, user_row(ben[1]), "data-role", "member")
    click(admin, f'{user_row(ann[1])} [data-testid="user-toggle-enabled"]')
    visible(admin, "#confirm-dialog")
    click(admin, "#confirm-ok")
    wait_attribute(admin, user_row(ann[1]), "data-enabled", "false")
    assert text_of(admin, f'{user_row(ann[1])} [data-testid="user-toggle-enabled"]') == "Enable"
    shot(admin, "users-ann-disabled")

    ann_browser = browser_factory("manage-ann", window=(412, 915))
    sign_in(ann_browser, url, ann[1], ann_password)
    wait(ann_browser).until(lambda d: "disabled" in text_of(d, "#sign-in-error").lower(),
                            "a disabled account's sign-in was not refused in words")
    shot(ann_browser, "ann-disabled-sign-in")

    click(admin, f'{user_row(ann[1])} [data-testid="user-toggle-enabled"]')
    wait_attribute(admin, user_row(ann[1]), "data-enabled", "true")
    type_into(ann_browser, "#sign-in-password", ann_password)
    click(ann_browser, "#sign-in-submit")
    visible(ann_browser, "#new-password")

    # Three hours later (on the simulator's clock) the first task is overdue: the tokens have
    # expired on the service's clock and are renewed, the board follows the service's time, and
    # the hourly sweep has sent the overdue notice to the task's creator.
    open_board(admin)
    simulator.advance("PT3H")
    click(admin, "#refresh")
    wait_attribute(admin, card_selector(soon), "data-deadline-state", "overdue")
    visible(admin, f'{card_selector(soon)} [data-testid="badge-overdue"]')
    assert body_state(admin) == "signed-in"
    wait(admin).until(lambda d: unread(d) >= 1, "no overdue notice for the administrator")
    click(admin, "#notifications-toggle")
    notifications_loaded(admin)
    visible(admin, '[data-testid="notification"][data-type="task_overdue"]')
    shot(admin, "overdue")
    click(admin, "#mark-all-read")
    wait(admin).until(lambda d: unread(d) == 0, "Mark all as read left unread notifications")
    open_dashboard(admin)
    wait_text(admin, '[data-testid="stat-overdue"] .stat-value', "1")
    shot(admin, "dashboard-overdue")

    # The expired tokens answered 401 before they were renewed; Ann's refused sign-in answered 400.
    assert console_errors(admin, lambda e: network_status(e, 401)) == []
    assert console_errors(ann_browser, lambda e: network_status(e, 400, url + "/ ")) == []
