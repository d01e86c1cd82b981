"""The console's server side, over real HTTP: the live feeds (server-sent events) of the outbox
and the function logs, the AWS wire APIs called as the operator, the architecture document, and
the console's static files with their Content-Security-Policy.

Each test starts its own `formwork simulate --in-memory --clock virtual`, so what the feeds send
is exactly what the test caused. The feeds are read with a plain socket client (http.client),
as a browser's EventSource reads them: `id:`, `event:` and `data:` lines, a blank line after
each event, and `Last-Event-ID` to resume.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from conftest import HOST, REPO_ROOT, FormworkLauncher, ServerProcess, formwork_binary, formwork_endpoints, http_json, make_client

VIRTUAL_START = "2026-12-01T09:00:00Z"
#: How long a test waits for an event it caused.
EVENT_TIMEOUT = 10.0


@dataclass
class Event:
    id: int
    name: str
    data: dict


class EventFeed:
    """One open `text/event-stream` response."""

    def __init__(self, server: ServerProcess, path: str, last_event_id: int | None = None):
        self.connection = http.client.HTTPConnection(HOST, server.port, timeout=EVENT_TIMEOUT)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", path, headers=headers)
        self.response = self.connection.getresponse()
        self.retry: int | None = None

    def next(self) -> Event:
        """The next event; raises TimeoutError when none comes within EVENT_TIMEOUT."""
        fields: dict[str, str] = {}
        while True:
            raw = self.response.fp.readline()
            if raw == b"":
                raise EOFError("the stream ended")
            line = raw.decode().rstrip("\n")
            if line == "":
                if "data" in fields:
                    return Event(int(fields["id"]), fields.get("event", "message"), json.loads(fields["data"]))
                fields = {}
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "retry":
                self.retry = int(value)
            else:
                fields[name] = value

    def take(self, count: int) -> list[Event]:
        return [self.next() for _ in range(count)]

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def server(log_dir: Path, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    launcher = FormworkLauncher(log_dir, request.node.name)
    try:
        yield launcher.start("--in-memory", "--clock", "virtual", "--start", VIRTUAL_START)
    finally:
        launcher.stop_all()


def cognito(server: ServerProcess):
    return make_client(server.endpoint, "cognito-idp")


def invite(server: ServerProcess, email: str) -> None:
    pool = formwork_endpoints(server)["userPoolId"]
    cognito(server).admin_create_user(
        UserPoolId=pool, Username=email, UserAttributes=[{"Name": "email", "Value": email}], DesiredDeliveryMediums=["EMAIL"]
    )


def operator_call(server: ServerProcess, target: str, body: bytes, version: str = "1.1") -> tuple[int, dict]:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        connection.request(
            "POST", "/_formwork/aws", body=body, headers={"X-Amz-Target": target, "Content-Type": f"application/x-amz-json-{version}"}
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


# --------------------------------------------------------------------------------------------
# The outbox feed
# --------------------------------------------------------------------------------------------


def test_outbox_feed_sends_what_was_kept_then_each_new_message_as_it_is_written(server):
    invite(server, "first@example.com")
    feed = EventFeed(server, "/_formwork/outbox/events")
    try:
        assert feed.response.status == 200
        assert feed.response.getheader("Content-Type", "").startswith("text/event-stream")
        assert feed.response.getheader("Cache-Control") == "no-store"
        first = feed.next()
        assert feed.retry == 2000
        assert (first.name, first.data["to"], first.data["service"]) == ("message", ["first@example.com"], "cognito-idp")
        assert first.data["sequence"] == first.id
        invite(server, "second@example.com")
        second = feed.next()
        assert second.data["to"] == ["second@example.com"]
        assert second.id > first.id
        assert "temporary password" in second.data["body"]
    finally:
        feed.close()


def test_outbox_feed_resumes_after_the_last_event_id(server):
    for name in ("a", "b", "c"):
        invite(server, f"{name}@example.com")
    feed = EventFeed(server, "/_formwork/outbox/events")
    events = feed.take(3)
    feed.close()
    assert [e.data["to"][0] for e in events] == ["a@example.com", "b@example.com", "c@example.com"]

    resumed = EventFeed(server, "/_formwork/outbox/events", last_event_id=events[0].id)
    try:
        assert [e.id for e in resumed.take(2)] == [events[1].id, events[2].id]
    finally:
        resumed.close()

    caught_up = EventFeed(server, "/_formwork/outbox/events", last_event_id=events[2].id)
    try:
        invite(server, "d@example.com")
        assert caught_up.next().data["to"] == ["d@example.com"], "only messages after the Last-Event-ID are sent"
    finally:
        caught_up.close()


def test_outbox_feed_sends_the_latest_hundred_on_a_fresh_connect(server):
    for number in range(105):
        invite(server, f"user{number:03d}@example.com")
    status, document = http_json("GET", f"{server.endpoint}/_formwork/outbox")
    assert status == 200 and len(document["messages"]) == 105
    feed = EventFeed(server, "/_formwork/outbox/events")
    try:
        backlog = feed.take(100)
        assert backlog[0].data["to"] == ["user005@example.com"]
        assert backlog[-1].data["to"] == ["user104@example.com"]
        invite(server, "late@example.com")
        assert feed.next().data["to"] == ["late@example.com"]
    finally:
        feed.close()


# --------------------------------------------------------------------------------------------
# The log feed
# --------------------------------------------------------------------------------------------


def invoke_scheduled(server: ServerProcess, function: str) -> dict:
    status, document = http_json("POST", f"{server.endpoint}/_formwork/functions/{function}/invoke?event=scheduled")
    assert status == 200, document
    return document


def test_log_feed_streams_each_invocation_with_its_function_and_request_id(server):
    feed = EventFeed(server, "/_formwork/logs/events")
    try:
        invoke_scheduled(server, "NotificationFunction")
        start = feed.next()
        assert start.name == "log"
        assert start.data["function"] == "NotificationFunction"
        assert start.data["logGroup"].startswith("/aws/lambda/")
        assert start.data["message"].startswith(f"START RequestId: {start.data['requestId']}")
        lines = [start]
        while not lines[-1].data["message"].startswith("REPORT"):
            lines.append(feed.next())
        assert {line.data["requestId"] for line in lines} == {start.data["requestId"]}
        assert any(line.data["message"].startswith("END RequestId") for line in lines)
        assert [line.id for line in lines] == sorted(line.id for line in lines)
    finally:
        feed.close()


def test_log_feed_filtered_to_one_function_sends_only_its_lines(server):
    feed = EventFeed(server, "/_formwork/logs/events?function=AdminDashboardFunction")
    try:
        invoke_scheduled(server, "NotificationFunction")
        status, _ = http_json("GET", f"{formwork_endpoints(server)['apiUrl']}/health")
        assert status == 200
        line = feed.next()
        assert line.data["function"] == "AdminDashboardFunction"
        assert line.data["message"].startswith("START")
    finally:
        feed.close()


def test_log_feed_of_an_unknown_function_is_a_json_404(server):
    status, document = http_json("GET", f"{server.endpoint}/_formwork/logs/events?function=NoSuchFunction")
    assert status == 404
    assert "NoSuchFunction" in document["message"]


# --------------------------------------------------------------------------------------------
# The AWS wire APIs, as the operator
# --------------------------------------------------------------------------------------------


def test_operator_calls_reach_cognito_admin_operations_without_a_signature(server):
    pool = formwork_endpoints(server)["userPoolId"]
    body = {"UserPoolId": pool, "Username": "op@example.com", "UserAttributes": [{"Name": "email", "Value": "op@example.com"}]}
    status, created = operator_call(server, "AWSCognitoIdentityProviderService.AdminCreateUser", json.dumps(body).encode())
    assert status == 200, created
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    listed = cognito(server).list_users(UserPoolId=pool)["Users"]
    assert [u["Username"] for u in listed] == [created["User"]["Username"]]

    unsigned = http.client.HTTPConnection(HOST, server.port, timeout=30)
    unsigned.request(
        "POST", "/", body=json.dumps({"UserPoolId": pool}).encode(),
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.ListUsers", "Content-Type": "application/x-amz-json-1.1"},
    )
    refused = unsigned.getresponse()
    assert refused.status >= 400, "the public endpoint still wants a signed request for admin operations"
    unsigned.close()


def test_operator_calls_reach_dynamodb_and_answer_errors_as_aws_does(server):
    status, tables = operator_call(server, "DynamoDB_20120810.ListTables", b"{}", version="1.0")
    assert status == 200
    assert any(name.endswith("-tasks") for name in tables["TableNames"])

    status, error = operator_call(server, "DynamoDB_20120810.Scan", b"{not json", version="1.0")
    assert status == 400
    assert error["__type"].endswith("SerializationException")

    status, error = operator_call(server, "NoSuchService.Operation", b"{}")
    assert status == 400
    assert error["__type"].endswith("UnknownOperationException")


# --------------------------------------------------------------------------------------------
# The architecture document
# --------------------------------------------------------------------------------------------


def dot_edges(environment: str) -> set[tuple[str, str, str]]:
    text = subprocess.run(
        [str(formwork_binary()), "graph", "--env", environment, "--format", "dot"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    return {(m[0], m[1], m[2]) for m in re.findall(r'"([^"]+)" -> "([^"]+)" \[label="([^"]*)"\]', text)}


def test_architecture_document_agrees_with_the_resources_and_the_graph(server):
    status, document = http_json("GET", f"{server.endpoint}/_formwork/architecture")
    assert status == 200
    assert (document["name"], document["environment"]) == ("TaskManagement", "dev")
    status, listed = http_json("GET", f"{server.endpoint}/_formwork/resources")
    assert [r["id"] for r in document["resources"]] == [r["logicalId"] for r in listed["resources"]]
    for resource in document["resources"]:
        assert re.fullmatch(r"Blueprints/TaskManagement\.swift:\d+:\d+", resource["declaredAt"]), resource
    edges = {(e["from"], e["to"], e["label"]) for e in document["references"]}
    assert edges == dot_edges("dev")
    assert ("TaskManagementFunction", "TasksTable", "readWrite, env") in edges


def test_architecture_document_lists_every_route_with_its_url_and_access(server):
    _, document = http_json("GET", f"{server.endpoint}/_formwork/architecture")
    api_url = formwork_endpoints(server)["apiUrl"]
    routes = {(r["method"], r["path"]): r for r in document["routes"]}
    assert routes[("GET", "/health")]["access"] == "public"
    assert routes[("POST", "/tasks")]["groups"] == ["Admin"]
    assert routes[("GET", "/me")]["access"] == "signed-in"
    for route in document["routes"]:
        assert route["url"] == api_url + route["path"]
    status, _ = http_json("GET", routes[("GET", "/health")]["url"])
    assert status == 200


# --------------------------------------------------------------------------------------------
# The console's files
# --------------------------------------------------------------------------------------------


def fetch(server: ServerProcess, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_console_page_and_everything_it_loads_come_from_here_under_a_strict_policy(server):
    page = fetch(server, "/_formwork/")
    assert page.status == 200
    assert page.getheader("Content-Type") == "text/html"
    policy = page.getheader("Content-Security-Policy")
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
    html = page.body.decode()  # type: ignore[attr-defined]
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references, "the page loads its script and style"
    assert not any(ref.startswith(("http:", "https:", "//")) for ref in references), references
    assert "<style" not in html and "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    for reference in references:
        if reference.startswith("#"):
            continue
        asset = fetch(server, reference)
        assert asset.status == 200, reference
        assert asset.getheader("Content-Security-Policy") == policy


def test_console_files_outside_its_folder_are_not_served(server):
    for path in ("/_formwork/console/../Console.swift", "/_formwork/console/%2e%2e/Console.swift", "/_formwork/console/.hidden",
                 "/_formwork/console/no-such-file.js", "/_formwork/console/pages"):
        response = fetch(server, path)
        assert response.status == 404, path
        assert json.loads(response.body)["message"]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# Shutdown
# --------------------------------------------------------------------------------------------


def test_an_open_feed_does_not_hold_the_simulator_at_shutdown(server):
    feed = EventFeed(server, "/_formwork/logs/events")
    assert feed.response.status == 200
    assert server.proc is not None
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=10) == 0
    assert time.monotonic() - started < 10
    with pytest.raises(EOFError):
        while True:
            feed.next()
    feed.close()
