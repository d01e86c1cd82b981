"""Who may call what, and the flows that cross routes, through `formwork simulate`, against the
HTTP contract, API.md (../shared/design/API.md from the repository root).

What this proves:
  * The access matrix: every route of the API × every kind of caller (anonymous; a member who is
    the user itself, the task's assignee or the notification's owner where that matters; another
    member; an administrator) answers the status API.md gives it: 401 {"message":"Unauthorized"}
    without a token on a signed-in route, 403 Forbidden for a member on an administrator's route,
    404 NotFound where the resource is not visible to the caller, 200/201/204 where the call is
    allowed. Each cell is one test case, and each also checks what the call did or did not
    change (a refused call changes nothing). Where API.md leaves the answer open, the cell
    asserts what the handler answers and says so.
  * The flows: a new task's task_assigned notification and e-mail; a member's status change
    notifying the creator; a reassignment moving the deadline reminder to the new assignee (on a
    virtual clock); 409 for a stale version, and for all but one of 50 concurrent changes with
    the same version; and the handlers reading the caller's record on every call: a disabled
    account is refused at once (403 AccountDisabled) though its token is still valid, a role
    change applies at once, and the last enabled administrator cannot be demoted or disabled
    (409 LastAdmin).

How it works: the helpers (Api, Person, start_api, join, create_task, ...) are those of
test_task_api.py, so requests are paced under the stage's throttle and recorded for the 5xx
check. The matrix and most flows use the module's own server (one administrator from --users,
members invited through POST /users); the reminder test and the last-administrator test start
servers of their own (a virtual clock; exactly one administrator).

Run it (after `swift build`), from the repository root:

    FORMWORK_BIN=.build/debug/formwork python3 -m pytest tests/sdk/test_rbac_and_flows.py -q
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from conftest import FormworkLauncher
from test_task_api import (
    ANSWERS, DASHBOARD_FIELDS, UNAUTHORIZED, VIRTUAL_START, Api, Person, Reply, about, all_tasks, assert_error,
    assert_notification, assert_task, assert_user, claims, create_task, join, notifications, parse_time, rfc3339,
    start_api, unique_email,
)

#: The sender of the handlers' e-mail (the blueprint's SES identity).
SENDER = "notifications@taskmgmt.example.com"
#: What GET /admin/reports/totals answers (the handler; API.md does not name the route).
REPORT_FIELDS = {"totals", "overdue", "dueSoon", "completionRate"}


# --------------------------------------------------------------------------------------------
# The module's server: an administrator and two members
# --------------------------------------------------------------------------------------------


@dataclass
class World:
    api: Api
    admin: Person
    #: The member whose user, task or notification the call is about.
    ann: Person
    #: Another member.
    bob: Person


@pytest.fixture(scope="module")
def world(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    launcher = FormworkLauncher(log_dir, "rbac-and-flows")
    try:
        api, admin = start_api(launcher, tmp_path_factory.mktemp("rbac-and-flows"))
        yield World(api, admin, join(admin, "Ann Assignee"), join(admin, "Bob Bystander"))
    finally:
        launcher.stop_all()


def get(person: Person, path: str) -> Any:
    """GET `path` as `person`, which must answer 200; the body."""
    reply = person.call("GET", path)
    assert reply.status == 200, (path, reply)
    return reply.body


# --------------------------------------------------------------------------------------------
# The access matrix
# --------------------------------------------------------------------------------------------

ANONYMOUS, MEMBER, OTHER, ADMIN = "anonymous", "member", "another member", "admin"
CALLERS = (ANONYMOUS, MEMBER, OTHER, ADMIN)


@dataclass
class Probe:
    """One call of a cell: the request, and a check of what the answer did (or, refused, did
    not) change."""

    method: str
    path: str
    body: Any = None
    check: Callable[[Reply], None] = lambda reply: None


@dataclass(frozen=True)
class Route:
    name: str
    #: How the first member relates to the call: "member", "self", "assignee" or "owner".
    member: str
    #: The answer for each of CALLERS: a status and, for a handler's 4xx, its code.
    expected: dict[str, tuple[int, str | None]]
    probe: Callable[[World, Person | None], Probe]


UNAUTH = (401, None)
FORBIDDEN = (403, "Forbidden")
NOT_FOUND = (404, "NotFound")


def expect(anonymous, member, other, admin) -> dict[str, tuple[int, str | None]]:
    return dict(zip(CALLERS, (anonymous, member, other, admin)))


def ok(status: int = 200) -> tuple[int, None]:
    return (status, None)


def health(world: World, caller: Person | None) -> Probe:
    def check(reply: Reply) -> None:
        assert reply.body == {"status": "ok"}, reply
    return Probe("GET", "/health", check=check)


def me(world: World, caller: Person | None) -> Probe:
    def check(reply: Reply) -> None:
        if reply.status == 200:
            assert_user(reply.body, userId=caller.user_id, email=caller.email)
    return Probe("GET", "/me", check=check)


def post_users(world: World, caller: Person | None) -> Probe:
    email = unique_email("matrix")

    def check(reply: Reply) -> None:
        invitations = [m for m in world.api.outbox(email) if m["service"] == "cognito-idp"]
        listed = [u["email"] for u in get(world.admin, "/users")["items"]]
        if reply.status == 201:
            assert_user(reply.body, email=email, name="Matrix Invitee", role="member", enabled=True)
            assert len(invitations) == 1 and email in listed, (invitations, listed)
        else:
            assert invitations == [] and email not in listed, (invitations, listed)
    return Probe("POST", "/users", {"email": email, "name": "Matrix Invitee", "role": "member"}, check)


def get_users(world: World, caller: Person | None) -> Probe:
    def check(reply: Reply) -> None:
        if reply.status == 200:
            ids = {u["userId"] for u in reply.body["items"]}
            assert {world.admin.user_id, world.ann.user_id, world.bob.user_id} <= ids, reply
    return Probe("GET", "/users", check=check)


def get_user(world: World, caller: Person | None) -> Probe:
    def check(reply: Reply) -> None:
        if reply.status == 200:
            assert reply.body == get(world.admin, f"/users/{world.ann.user_id}"), reply
    return Probe("GET", f"/users/{world.ann.user_id}", check=check)


def patch_user(world: World, caller: Person | None) -> Probe:
    path = f"/users/{world.ann.user_id}"
    before = get(world.admin, path)
    name = f"Ann {uuid.uuid4().hex[:8]}"

    def check(reply: Reply) -> None:
        after = get(world.admin, path)
        if reply.status == 200:
            assert_user(reply.body, userId=world.ann.user_id, name=name, role="member", enabled=True)
            assert after == reply.body, after
        else:
            assert after == before, after
    return Probe("PATCH", path, {"name": name}, check)


def post_tasks(world: World, caller: Person | None) -> Probe:
    title = f"Matrix task {uuid.uuid4().hex[:8]}"
    body = {"title": title, "assigneeId": world.ann.user_id, "deadline": rfc3339(world.api.now() + timedelta(days=3))}

    def check(reply: Reply) -> None:
        titles = [t["title"] for t in all_tasks(world.admin, f"assigneeId={world.ann.user_id}")]
        if reply.status == 201:
            assert_task(reply.body, title=title, assigneeId=world.ann.user_id, createdBy=world.admin.user_id,
                        status="todo", version=1)
            assert titles.count(title) == 1, titles
        else:
            assert title not in titles, titles
    return Probe("POST", "/tasks", body, check)


def get_tasks(world: World, caller: Person | None) -> Probe:
    task = create_task(world.admin, world.ann.user_id)

    def check(reply: Reply) -> None:
        if reply.status == 200:
            items = reply.body["items"]
            for item in items:
                assert_task(item)
            if caller is not world.admin:
                # A member: only tasks assigned to them.
                assert all(t["assigneeId"] == caller.user_id for t in items), items
                if caller is world.bob:
                    assert task["taskId"] not in [t["taskId"] for t in items]
    return Probe("GET", "/tasks", check=check)


def get_tasks_of_another(world: World, caller: Person | None) -> Probe:
    other = world.bob if caller is world.ann else world.ann

    def check(reply: Reply) -> None:
        if reply.status == 200:
            assert all(t["assigneeId"] == other.user_id for t in reply.body["items"]), reply
    return Probe("GET", f"/tasks?assigneeId={other.user_id}", check=check)


def get_task(world: World, caller: Person | None) -> Probe:
    task = create_task(world.admin, world.ann.user_id)

    def check(reply: Reply) -> None:
        if reply.status == 200:
            assert reply.body == task, reply
    return Probe("GET", f"/tasks/{task['taskId']}", check=check)


def patch_task(field: str, value: str) -> Callable[[World, Person | None], Probe]:
    def probe(world: World, caller: Person | None) -> Probe:
        task = create_task(world.admin, world.ann.user_id, title="Before the change")
        path = f"/tasks/{task['taskId']}"

        def check(reply: Reply) -> None:
            after = get(world.admin, path)
            if reply.status == 200:
                assert_task(reply.body, taskId=task["taskId"], version=2, **{field: value})
                assert after == reply.body, after
            else:
                assert after == task, after
        return Probe("PATCH", path, {"version": 1, field: value}, check)
    return probe


def delete_task(world: World, caller: Person | None) -> Probe:
    task = create_task(world.admin, world.ann.user_id)
    path = f"/tasks/{task['taskId']}"

    def check(reply: Reply) -> None:
        after = world.admin.call("GET", path)
        if reply.status == 204:
            assert reply.text == "", reply
            assert_error(after, 404, "NotFound")
        else:
            assert (after.status, after.body) == (200, task), after
    return Probe("DELETE", path, check=check)


def get_notifications(world: World, caller: Person | None) -> Probe:
    def check(reply: Reply) -> None:
        if reply.status == 200:
            for item in reply.body["items"]:
                assert_notification(item, userId=caller.user_id)
    return Probe("GET", "/notifications", check=check)


def mark_read(world: World, caller: Person | None) -> Probe:
    task = create_task(world.admin, world.ann.user_id)
    [notice] = about(notifications(world.ann), task["taskId"], "task_assigned")

    def check(reply: Reply) -> None:
        [now] = [n for n in notifications(world.ann) if n["notificationId"] == notice["notificationId"]]
        assert now == {**notice, "read": reply.status == 204}, now
        if reply.status == 204:
            assert reply.text == "", reply
    return Probe("POST", f"/notifications/{notice['notificationId']}/read", check=check)


def dashboard(world: World, caller: Person | None) -> Probe:
    def check(reply: Reply) -> None:
        if reply.status == 200:
            assert set(reply.body) == DASHBOARD_FIELDS, reply
    return Probe("GET", "/admin/dashboard", check=check)


def report(world: World, caller: Person | None) -> Probe:
    def check(reply: Reply) -> None:
        if reply.status == 200:
            assert set(reply.body) == REPORT_FIELDS, reply
    return Probe("GET", "/admin/reports/totals", check=check)


ROUTES = [
    # Not in API.md's table; the blueprint declares it public and the handler answers {"status":"ok"}.
    Route("GET /health", "member", expect(ok(), ok(), ok(), ok()), health),
    Route("GET /me", "member", expect(UNAUTH, ok(), ok(), ok()), me),
    Route("POST /users", "member", expect(UNAUTH, FORBIDDEN, FORBIDDEN, ok(201)), post_users),
    Route("GET /users", "member", expect(UNAUTH, FORBIDDEN, FORBIDDEN, ok()), get_users),
    # Another member's user: API.md says "Admin, or the user itself" and leaves open whether
    # anyone else gets 403 (not allowed) or 404 (not visible); the handler answers 403 Forbidden.
    Route("GET /users/{userId}", "self", expect(UNAUTH, ok(), FORBIDDEN, ok()), get_user),
    Route("PATCH /users/{userId}", "self", expect(UNAUTH, FORBIDDEN, FORBIDDEN, ok()), patch_user),
    Route("POST /tasks", "member", expect(UNAUTH, FORBIDDEN, FORBIDDEN, ok(201)), post_tasks),
    Route("GET /tasks", "member", expect(UNAUTH, ok(), ok(), ok()), get_tasks),
    # "any other assigneeId filter → 403" for members; an administrator may filter by anyone.
    Route("GET /tasks?assigneeId=other", "member", expect(UNAUTH, FORBIDDEN, FORBIDDEN, ok()), get_tasks_of_another),
    Route("GET /tasks/{taskId}", "assignee", expect(UNAUTH, ok(), NOT_FOUND, ok()), get_task),
    # A member who is not the assignee: API.md names no status for PATCH; the task is not visible
    # to them (GET answers 404), and the handler answers 404 NotFound here too.
    Route("PATCH /tasks/{taskId} (status)", "assignee", expect(UNAUTH, ok(), NOT_FOUND, ok()),
          patch_task("status", "in_progress")),
    # The assignee changing another field: 403 (API.md). Another member: 404 as above (the
    # handler checks visibility before the fields).
    Route("PATCH /tasks/{taskId} (title)", "assignee", expect(UNAUTH, FORBIDDEN, NOT_FOUND, ok()),
          patch_task("title", "After the change")),
    # Admin only: API.md leaves open whether a member who cannot see the task gets 403 or 404; the
    # handler refuses every member with 403 before looking the task up.
    Route("DELETE /tasks/{taskId}", "assignee", expect(UNAUTH, FORBIDDEN, FORBIDDEN, ok(204)), delete_task),
    Route("GET /notifications", "member", expect(UNAUTH, ok(), ok(), ok()), get_notifications),
    # "someone else's → 404", an administrator's call included.
    Route("POST /notifications/{notificationId}/read", "owner", expect(UNAUTH, ok(204), NOT_FOUND, NOT_FOUND),
          mark_read),
    Route("GET /admin/dashboard", "member", expect(UNAUTH, FORBIDDEN, FORBIDDEN, ok()), dashboard),
    # Not in API.md; the blueprint and the handler make it an administrator's route like the
    # dashboard (reports "totals" and "by-assignee").
    Route("GET /admin/reports/{proxy+}", "member", expect(UNAUTH, FORBIDDEN, FORBIDDEN, ok()), report),
]

CELLS = [
    pytest.param(route, caller, id=f"{route.name} as {route.member if caller == MEMBER else caller}")
    for route in ROUTES for caller in CALLERS
]


@pytest.mark.parametrize(("route", "caller"), CELLS)
def test_access(world: World, route: Route, caller: str):
    person = {ANONYMOUS: None, MEMBER: world.ann, OTHER: world.bob, ADMIN: world.admin}[caller]
    probe = route.probe(world, person)
    body = () if probe.body is None else (probe.body,)
    reply = world.api.call(probe.method, probe.path, *body, token=person.token if person else None)
    status, code = route.expected[caller]
    if status == 401:
        assert (reply.status, reply.body) == (401, UNAUTHORIZED), reply
    elif status >= 400:
        assert_error(reply, status, code)
    else:
        assert reply.status == status, reply
    probe.check(reply)


# --------------------------------------------------------------------------------------------
# Notifications that task changes send
# --------------------------------------------------------------------------------------------


def mails(api: Api, address: str, subject: str, task_id: str) -> list[dict]:
    """The SES e-mails to `address` with `subject` about task `task_id`."""
    return [m for m in api.outbox(address)
            if m["service"] == "ses" and m.get("subject") == subject and task_id in m["body"]]


def test_a_new_task_notifies_and_emails_the_assignee(world):
    api, admin, ann, bob = world.api, world.admin, world.ann, world.bob
    task = create_task(admin, ann.user_id, title="Assigned to Ann")

    [notice] = about(notifications(ann), task["taskId"], "task_assigned")
    assert_notification(notice, userId=ann.user_id, taskId=task["taskId"], read=False)
    assert "Assigned to Ann" in notice["message"], notice
    assert about(notifications(bob), task["taskId"], "task_assigned") == []
    assert about(notifications(admin), task["taskId"], "task_assigned") == []

    [mail] = mails(api, ann.email, "A task was assigned to you", task["taskId"])
    assert (mail["kind"], mail.get("from"), mail["to"]) == ("email", SENDER, [ann.email]), mail
    assert "Assigned to Ann" in mail["body"], mail


def test_a_members_status_change_notifies_the_creator(world):
    admin, ann = world.admin, world.ann
    task = create_task(admin, ann.user_id, title="Ann reports progress")
    assert about(notifications(admin), task["taskId"], "task_updated") == []

    reply = ann.call("PATCH", f"/tasks/{task['taskId']}", {"version": 1, "status": "blocked"})
    assert reply.status == 200, reply
    [notice] = about(notifications(admin), task["taskId"], "task_updated")
    assert_notification(notice, userId=admin.user_id, taskId=task["taskId"], read=False)
    assert "blocked" in notice["message"], notice
    assert about(notifications(ann), task["taskId"], "task_updated") == []


def test_reassignment_moves_the_deadline_reminder(formwork_launcher: FormworkLauncher, tmp_path: Path):
    """On a server of its own with a virtual clock: the schedule fires every hour on the hour
    after VIRTUAL_START, and a task due within 24 hours gets one deadline_reminder to its
    assignee. A task due in 10 hours, assigned to A: the first fire reminds A; reassigned to B,
    the next fire reminds B (a reassignment earns the new assignee a reminder of its own), and A
    gets no second one. ID tokens live an hour by the simulator's clock, so everyone signs in
    again after each move."""
    api, admin = start_api(formwork_launcher, tmp_path, "--clock", "virtual", "--start", VIRTUAL_START)
    start = parse_time(VIRTUAL_START)
    first, second = join(admin, "Alma First"), join(admin, "Basil Second")
    task = create_task(admin, first.user_id, title="Due in ten hours", deadline=rfc3339(start + timedelta(hours=10)))

    def advance_an_hour() -> None:
        api.advance_clock("PT1H")
        for person in (admin, first, second):
            person.sign_in_again()

    def reminders(person: Person) -> list[dict]:
        return about(notifications(person), task["taskId"], "deadline_reminder")

    advance_an_hour()
    assert api.now() == start + timedelta(hours=1)
    [reminder] = reminders(first)
    assert_notification(reminder, userId=first.user_id, read=False)
    assert len(mails(api, first.email, "A task is due soon", task["taskId"])) == 1
    assert reminders(second) == []

    moved = admin.call("PATCH", f"/tasks/{task['taskId']}", {"version": 1, "assigneeId": second.user_id})
    assert moved.status == 200, moved
    assert_task(moved.body, assigneeId=second.user_id, version=2)
    assert len(about(notifications(second), task["taskId"], "task_assigned")) == 1
    assert reminders(second) == []

    advance_an_hour()
    [reminder] = reminders(second)
    assert_notification(reminder, userId=second.user_id, read=False)
    [mail] = mails(api, second.email, "A task is due soon", task["taskId"])
    assert (mail.get("from"), mail["to"]) == (SENDER, [second.email]), mail
    assert parse_time(mail["createdAt"]) == start + timedelta(hours=2), mail
    assert len(reminders(first)) == 1
    assert len(mails(api, first.email, "A task is due soon", task["taskId"])) == 1


# --------------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict(world):
    admin, ann = world.admin, world.ann
    task = create_task(admin, ann.user_id, title="Versioned")
    path = f"/tasks/{task['taskId']}"
    changed = admin.call("PATCH", path, {"version": 1, "title": "Versioned twice"})
    assert changed.status == 200 and changed.body["version"] == 2, changed

    assert_error(admin.call("PATCH", path, {"version": 1, "title": "Lost update"}), 409, "VersionConflict")
    assert_error(ann.call("PATCH", path, {"version": 1, "status": "done"}), 409, "VersionConflict")
    assert get(admin, path) == changed.body


def test_fifty_concurrent_changes_with_one_version(world):
    """50 PATCHes of one task, all with version 1, sent at once on separate connections: exactly
    one applies, the other 49 answer 409, and the version moves on by one."""
    admin = world.admin
    task = create_task(admin, world.ann.user_id, title="Contended")
    path = f"/tasks/{task['taskId']}"
    # The stage's token bucket (dev: 50 a second, burst 100) is full again after two seconds,
    # so the 50 requests are not throttled.
    time.sleep(2.5)
    barrier = threading.Barrier(50)

    def change(number: int) -> Reply:
        barrier.wait(timeout=30)
        return admin.call("PATCH", path, {"version": 1, "title": f"Racer {number}"}, pace=False)

    with ThreadPoolExecutor(max_workers=50) as pool:
        replies = list(pool.map(change, range(50)))

    statuses = Counter(r.status for r in replies)
    assert statuses == {200: 1, 409: 49}, (statuses, [r for r in replies if r.status not in (200, 409)][:3])
    for reply in replies:
        if reply.status == 409:
            assert_error(reply, 409, "VersionConflict")
    [winner] = [r for r in replies if r.status == 200]
    assert_task(winner.body, version=2)
    assert get(admin, path) == winner.body


# --------------------------------------------------------------------------------------------
# Accounts checked on every call
# --------------------------------------------------------------------------------------------


def test_a_disabled_member_is_refused_at_once(world):
    api, admin = world.api, world.admin
    dan = join(admin, "Dan Disabled")
    task = create_task(admin, dan.user_id, title="Dan's task")
    path = f"/tasks/{task['taskId']}"
    assert dan.call("GET", "/me").status == 200

    disabled = admin.call("PATCH", f"/users/{dan.user_id}", {"enabled": False})
    assert disabled.status == 200 and disabled.body["enabled"] is False, disabled
    # The token is still valid by the simulator's clock: the refusal is the handlers'.
    assert claims(dan.token)["exp"] > api.now().timestamp() + 60
    for method, route, body in (("GET", "/me", None), ("GET", "/tasks", None), ("GET", path, None),
                                ("PATCH", path, {"version": 1, "status": "done"}), ("GET", "/notifications", None),
                                ("GET", f"/users/{dan.user_id}", None)):
        reply = dan.call(method, route, *(() if body is None else (body,)))
        assert_error(reply, 403, "AccountDisabled")
    assert get(admin, path) == task

    # Enabled again, the same token works again.
    enabled = admin.call("PATCH", f"/users/{dan.user_id}", {"enabled": True})
    assert enabled.status == 200 and enabled.body["enabled"] is True, enabled
    assert dan.call("GET", "/me").status == 200


def test_a_role_change_applies_at_once(world):
    admin, ann = world.admin, world.ann
    eve = join(admin, "Eve Elevated", role="admin")
    anns_task = create_task(admin, ann.user_id, title="Not Eve's")
    assert eve.call("GET", "/users").status == 200
    assert eve.call("GET", "/admin/dashboard").status == 200

    demoted = admin.call("PATCH", f"/users/{eve.user_id}", {"role": "member"})
    assert demoted.status == 200 and demoted.body["role"] == "member", demoted
    # Her token still says Admin; the Users table says member, and that decides.
    assert claims(eve.token)["cognito:groups"] == ["Admin"]
    for method, path, body in (
        ("GET", "/users", None),
        ("GET", "/admin/dashboard", None),
        ("GET", "/admin/reports/totals", None),
        ("POST", "/users", {"email": unique_email("by-eve"), "name": "Eve's Friend", "role": "admin"}),
        ("POST", "/tasks", {"title": "Eve's", "assigneeId": eve.user_id,
                            "deadline": rfc3339(admin.api.now() + timedelta(days=1))}),
        ("PATCH", f"/users/{eve.user_id}", {"role": "admin"}),
        ("DELETE", f"/tasks/{anns_task['taskId']}", None),
    ):
        assert_error(eve.call(method, path, *(() if body is None else (body,))), 403, "Forbidden")
    assert_error(eve.call("GET", f"/tasks/{anns_task['taskId']}"), 404, "NotFound")
    assert get(eve, "/me")["role"] == "member"
    assert get(admin, f"/users/{eve.user_id}")["role"] == "member"
    assert get(admin, f"/tasks/{anns_task['taskId']}") == anns_task

    # And the other way: a member promoted is an administrator with the token she has.
    fay = join(admin, "Fay Promoted")
    assert_error(fay.call("GET", "/users"), 403, "Forbidden")
    promoted = admin.call("PATCH", f"/users/{fay.user_id}", {"role": "admin"})
    assert promoted.status == 200 and promoted.body["role"] == "admin", promoted
    assert claims(fay.token)["cognito:groups"] == ["TeamMember"]
    assert fay.call("GET", "/users").status == 200
    assert get(fay, f"/tasks/{anns_task['taskId']}") == anns_task


def test_the_last_admin_cannot_be_demoted_or_disabled(formwork_launcher: FormworkLauncher, tmp_path: Path):
    """On a server of its own, whose one administrator comes from --users."""
    api, admin = start_api(formwork_launcher, tmp_path)
    path = f"/users/{admin.user_id}"
    for body in ({"role": "member"}, {"enabled": False}, {"role": "member", "enabled": False}):
        assert_error(admin.call("PATCH", path, body), 409, "LastAdmin")
    assert_user(get(admin, "/me"), role="admin", enabled=True)
    assert admin.call("GET", "/users").status == 200
    pool = api.pool
    groups = pool.client.admin_list_groups_for_user(UserPoolId=pool.user_pool_id, Username=admin.email)["Groups"]
    assert [g["GroupName"] for g in groups] == ["Admin"], groups

    # A disabled administrator does not count.
    gus = join(admin, "Gus Second", role="admin")
    assert admin.call("PATCH", f"/users/{gus.user_id}", {"enabled": False}).status == 200
    assert_error(admin.call("PATCH", path, {"role": "member"}), 409, "LastAdmin")

    # An enabled one does: the first steps down, and then the second is the last.
    assert admin.call("PATCH", f"/users/{gus.user_id}", {"enabled": True}).status == 200
    stepped_down = admin.call("PATCH", path, {"role": "member"})
    assert stepped_down.status == 200 and stepped_down.body["role"] == "member", stepped_down
    assert_error(admin.call("GET", "/users"), 403, "Forbidden")
    for body in ({"role": "member"}, {"enabled": False}):
        assert_error(gus.call("PATCH", f"/users/{gus.user_id}", body), 409, "LastAdmin")
    assert_user(get(gus, "/me"), role="admin", enabled=True)


def test_two_admins_stepping_down_at_once_leave_one(formwork_launcher: FormworkLauncher, tmp_path: Path):
    """On a server of its own: the only two administrators each demote themselves at the same
    moment. One of them must stay: one call answers 200, the other 409 LastAdmin. Repeated, since
    a check-then-write that is not atomic fails only when the two calls interleave."""
    api, last = start_api(formwork_launcher, tmp_path)
    for round_number in range(20):
        newcomer = join(last, f"Round {round_number} Admin", role="admin")
        pair = (last, newcomer)
        time.sleep(0.1)
        barrier = threading.Barrier(2)

        def step_down(person: Person) -> Reply:
            barrier.wait(timeout=30)
            return person.call("PATCH", f"/users/{person.user_id}", {"role": "member"}, pace=False)

        with ThreadPoolExecutor(max_workers=2) as pool:
            replies = list(pool.map(step_down, pair))
        assert sorted(r.status for r in replies) == [200, 409], (round_number, replies)
        [refused] = [r for r in replies if r.status == 409]
        assert_error(refused, 409, "LastAdmin")
        [last] = [p for p, r in zip(pair, replies) if r.status == 409]
        admins = [u for u in get(last, "/users")["items"] if u["role"] == "admin" and u["enabled"]]
        assert [u["userId"] for u in admins] == [last.user_id], admins


# --------------------------------------------------------------------------------------------
# Last: no request of these tests answered 5xx
# --------------------------------------------------------------------------------------------


def test_no_request_answered_5xx():
    """API.md: no route ever answers 5xx for bad input. Every answer recorded so far in the
    session (this module's tests run in file order, so this one comes after them) is checked."""
    if not ANSWERS:
        pytest.skip("no API request was made in this session")
    server_errors = [a for a in ANSWERS if a.status >= 500]
    assert server_errors == [], server_errors
