"""`formwork simulate --functions process`: the functions run as processes of the functions'
executable, speak the Lambda Runtime API to the simulator, and call the simulated services
through AWS_ENDPOINT_URL with credentials of their own, which the simulator checks against each
function's grants as IAM would.

The task API's whole suite (test_task_api.py) also runs in this mode, with the same assertions as
in process. This module covers what only this mode has: IAM on calls signed with a function's
credentials (taken from GET /_formwork/functions/{function}, as a developer would to reproduce a
denial), the Runtime API's answers, logs from the process, and a process that exits.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import REGION, FormworkLauncher, ServerProcess, http_json

VIRTUAL_START = "2026-12-01T09:00:00Z"


@pytest.fixture(scope="module")
def server(log_dir: Path) -> Iterator[ServerProcess]:
    launcher = FormworkLauncher(log_dir, "process-functions")
    try:
        yield launcher.start("--in-memory", "--clock", "virtual", "--start", VIRTUAL_START, "--functions", "process")
    finally:
        launcher.stop_all()


def describe(server: ServerProcess, function: str) -> dict:
    status, document = http_json("GET", f"{server.endpoint}/_formwork/functions/{function}")
    assert status == 200, document
    return document


def client_as(server: ServerProcess, function: str, service: str):
    """A boto3 client signing with the credentials the simulator gives `function`."""
    credentials = describe(server, function)["credentials"]
    return boto3.session.Session(
        aws_access_key_id=credentials["accessKeyId"], aws_secret_access_key=credentials["secretAccessKey"],
        aws_session_token=credentials["sessionToken"], region_name=REGION,
    ).client(service, endpoint_url=server.endpoint, config=Config(retries={"total_max_attempts": 1}))


def error_code(call, **arguments) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**arguments)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_a_function_may_do_what_its_grants_allow_and_nothing_else(server):
    environment = describe(server, "AdminDashboardFunction")["environment"]
    dynamodb = client_as(server, "AdminDashboardFunction", "dynamodb")
    # The dashboard reads tasks and users.
    dynamodb.scan(TableName=environment["TASKS_TABLE"], Limit=1)
    code, message = error_code(dynamodb.put_item, TableName=environment["TASKS_TABLE"], Item={"taskId": {"S": "nope"}})
    assert code == "AccessDeniedException"
    assert "is not authorized to perform: dynamodb:PutItem" in message and "taskmgmt-dev-admin-dashboard" in message
    assert dynamodb.get_item(TableName=environment["TASKS_TABLE"], Key={"taskId": {"S": "nope"}}).get("Item") is None, "nothing was written"
    notifications_table = describe(server, "TaskManagementFunction")["environment"]["NOTIFICATIONS_TABLE"]
    code, _ = error_code(dynamodb.scan, TableName=notifications_table)
    assert code == "AccessDeniedException"


def test_publishing_sending_and_reading_parameters_are_checked_too(server):
    notifier = describe(server, "NotificationFunction")["environment"]
    sns = client_as(server, "UserManagementFunction", "sns")
    code, message = error_code(sns.publish, TopicArn=notifier["NOTIFICATIONS_TOPIC_ARN"], Message="hello")
    assert code == "AuthorizationError" and "sns:Publish" in message
    client_as(server, "NotificationFunction", "sns").publish(TopicArn=notifier["NOTIFICATIONS_TOPIC_ARN"], Message='{"type":"probe"}')
    ssm = client_as(server, "TaskManagementFunction", "ssm")
    code, _ = error_code(ssm.get_parameter, Name=notifier["REMINDER_WINDOW_PARAMETER"])
    assert code == "AccessDeniedException"
    value = client_as(server, "NotificationFunction", "ssm").get_parameter(Name=notifier["REMINDER_WINDOW_PARAMETER"])
    assert value["Parameter"]["Value"]
    sesv2 = client_as(server, "AdminDashboardFunction", "sesv2")
    code, _ = error_code(
        sesv2.send_email, FromEmailAddress=notifier["SENDER_EMAIL"], Destination={"ToAddresses": ["a@example.com"]},
        Content={"Simple": {"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}}},
    )
    assert code == "AccessDeniedException"
    cognito = client_as(server, "TaskManagementFunction", "cognito-idp")
    pool = describe(server, "UserManagementFunction")["environment"]
    pool_id = next(v for k, v in pool.items() if k.endswith("POOL_ID"))
    code, _ = error_code(cognito.admin_get_user, UserPoolId=pool_id, Username="someone@example.com")
    assert code == "AccessDeniedException"


def test_what_no_grant_names_is_refused(server):
    notifier = describe(server, "NotificationFunction")["environment"]
    ses = client_as(server, "NotificationFunction", "ses")
    ses.send_email(Source=notifier["SENDER_EMAIL"], Destination={"ToAddresses": ["a@example.com"]},
                   Message={"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}})
    code, _ = error_code(client_as(server, "AdminDashboardFunction", "ses").send_email, Source=notifier["SENDER_EMAIL"],
                         Destination={"ToAddresses": ["a@example.com"]}, Message={"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}})
    assert code == "AccessDenied"
    code, _ = error_code(client_as(server, "NotificationFunction", "sns").create_topic, Name=notifier["NOTIFICATIONS_TOPIC_ARN"].split(":")[-1])
    assert code == "AuthorizationError"
    code, _ = error_code(client_as(server, "NotificationFunction", "dynamodb").list_tables)
    assert code == "AccessDeniedException"
    code, _ = error_code(client_as(server, "UserManagementFunction", "cognito-idp").list_user_pools, MaxResults=10)
    assert code == "AccessDeniedException"


def test_credentials_change_with_every_run(log_dir: Path, server):
    launcher = FormworkLauncher(log_dir, "process-credentials")
    try:
        other = launcher.start("--in-memory", "--functions", "process")
        assert describe(other, "NotificationFunction")["credentials"] != describe(server, "NotificationFunction")["credentials"]
    finally:
        launcher.stop_all()


def test_an_invocation_runs_in_a_process_and_its_lines_reach_the_log_group(server):
    status, answer = http_json("POST", f"{server.endpoint}/_formwork/functions/NotificationFunction/invoke?event=scheduled")
    assert status == 200 and answer["status"] == "succeeded", answer
    messages = [line["message"] for line in answer["log"]]
    assert messages[0].startswith("START RequestId:")
    assert any(m.startswith("INFO Deadline sweep:") for m in messages), messages
    assert messages[-1].startswith("REPORT RequestId:")


def test_the_runtime_api_refuses_an_answer_for_an_unknown_request(server):
    status, answer = http_json(
        "POST", f"{server.endpoint}/_formwork/runtime/NotificationFunction/1/2018-06-01/runtime/invocation/no-such-request/response", {}
    )
    assert status == 400 and answer["errorType"] == "InvalidRequestID"
    status, _ = http_json("GET", f"{server.endpoint}/_formwork/runtime/NoSuchFunction/1/2018-06-01/runtime/invocation/next")
    assert status == 404


def test_shutdown_stops_the_processes(log_dir: Path):
    launcher = FormworkLauncher(log_dir, "process-shutdown")
    try:
        server = launcher.start("--in-memory", "--functions", "process")
        reports = []
        for _ in range(2):
            status, answer = http_json("POST", f"{server.endpoint}/_formwork/functions/NotificationFunction/invoke?event=scheduled")
            assert status == 200, answer
            reports.append(answer["log"][-1]["message"])
        assert "Init Duration:" in reports[0], "the first invocation starts the process"
        assert "Init Duration:" not in reports[1], "the second finds it warm"
        assert server.proc is not None
        children = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
        assert children, "the function runs in a child process, waiting for its next event"
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=10) == 0
        for child in children:
            assert not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text().lower(), child
    finally:
        launcher.stop_all()


def test_a_missing_executable_is_a_usage_error(log_dir: Path, tmp_path: Path):
    launcher = FormworkLauncher(log_dir, "process-missing")
    status, output = launcher.run_to_exit("--in-memory", "--functions", "process", "--bootstrap", str(tmp_path / "nothing"))
    assert status == 2, output
    assert "neither an executable nor a zip" in output
