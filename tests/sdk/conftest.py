"""Fixtures for the SDK parity suite: a `formwork simulate` server and a moto server, side by side.

What this proves: that boto3 (and the AWS CLI) can talk to `formwork simulate` over DynamoDB's
JSON 1.0 wire protocol, and that Formwork answers the same requests the way moto's DynamoDB
does, or, where moto is known to differ from DynamoDB, the way DynamoDB is documented to.

How it works:
  * `formwork simulate --in-memory --port N --host 127.0.0.1 --env dev` is started from the
    binary named by FORMWORK_BIN (default `.build/debug/formwork`; a relative path is taken from
    the repository root), and `python -m moto.server` is started beside it, each on a free port.
  * Formwork's tables come from the blueprint. The moto server gets the same tables: each table
    that Formwork's ListTables names is described with DescribeTable and created in moto with
    the same key schema, attribute definitions, global/local secondary indexes and projections,
    billing mode PAY_PER_REQUEST.
  * Before every DynamoDB test (the `empty_tables` fixture, which test_dynamodb_parity.py uses
    for all its tests), every table on both servers is emptied, so each test starts from the
    same (empty) state on both sides.
  * Formwork's user pool (Cognito Identity Provider, JSON 1.1, on the same port) is found through
    `GET /_formwork/endpoints`. The moto server gets a user pool like it: DescribeUserPool,
    DescribeUserPoolClient and ListGroups on Formwork give the password policy, username
    attributes, admin-create-only setting, app client (auth flows, token validities, user
    existence errors) and groups that are created in moto. Cognito tests use their own users
    (unique e-mail addresses), so nothing is emptied for them.
  * `formwork_launcher` starts further `formwork simulate` processes for one test (other
    options: `--users FILE`, `--state DIR`) and stops them when the test ends.
  * Both servers are stopped at the end of the session (SIGTERM, then SIGKILL after a timeout).
    Their output goes to log files under pytest's temporary directory; a failing test's report
    shows what each server logged while that test ran, and a server that does not start (60 s at
    most) fails the tests with its output.
  * The boto3 clients use dummy credentials, region us-east-1, no retries (one attempt), and
    connect/read timeouts.

Run it (after `swift build`), from the repository root:

    FORMWORK_BIN=.build/debug/formwork python3 -m pytest tests/sdk -q

Requirements: tests/sdk/requirements.txt (`python3 -m pip install -r tests/sdk/requirements.txt`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
REGION = "us-east-1"
#: How long a server may take to become ready.
START_TIMEOUT = 60.0
#: How long a server may take to exit after SIGTERM (and again after SIGKILL).
STOP_TIMEOUT = 10.0
#: How much of a server's log a failing test's report shows.
LOG_TAIL_CHARS = 6000


class ServerError(RuntimeError):
    """A server that did not start, or died."""


class ServerProcess:
    """One server process, its output in a log file."""

    def __init__(self, name: str, argv: list[str], port: int, log_path: Path, ready_text: str | None = None):
        self.name = name
        self.argv = argv
        self.port = port
        self.log_path = log_path
        self.ready_text = ready_text
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = None

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = START_TIMEOUT) -> None:
        self._log = open(self.log_path, "wb")
        self._log.write(f"$ {' '.join(self.argv)}\n".encode())
        self._log.flush()
        try:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            raise ServerError(f"{self.name}: cannot start {self.argv[0]}: {error}") from error
        try:
            self._wait_ready(timeout)
        except ServerError:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        """Ready at the first successful TCP connect, or when the ready line is printed."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while True:
            code = self.proc.poll()
            if code is not None:
                raise ServerError(
                    f"{self.name} exited with status {code} before it was ready.\n"
                    f"Its output ({self.log_path}):\n{self.log_tail()}"
                )
            if self.ready_text is not None and self.ready_text in self.log_text():
                return
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ServerError(
                    f"{self.name} was not ready after {timeout:.0f} s: no TCP connection to "
                    f"{HOST}:{self.port}"
                    + (f" and no line containing {self.ready_text!r}" if self.ready_text else "")
                    + f".\nIts output ({self.log_path}):\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                try:
                    proc.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    pass
        if self._log is not None and not self._log.closed:
            self._log.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_text(self, since: int = 0) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(since)
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        text = self.log_text()
        return text if len(text) <= chars else "…" + text[-chars:]


#: Servers started in this session, for the failure reports.
_SERVERS: list[ServerProcess] = []
#: Each server's log size when the current test started.
_LOG_OFFSETS: dict[str, int] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    for server in _SERVERS:
        _LOG_OFFSETS[server.name] = server.log_size()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """A failing test's report shows what each server logged while the test ran."""
    report = yield
    if report.failed:
        for server in _SERVERS:
            state = "running" if server.alive() else f"exited with status {server.proc.poll() if server.proc else '-'}"
            text = server.log_text(since=_LOG_OFFSETS.get(server.name, 0))
            if len(text) > LOG_TAIL_CHARS:
                text = "…" + text[-LOG_TAIL_CHARS:]
            report.sections.append(
                (f"{server.name} ({state}), its log during this test ({server.log_path})", text or "(nothing)")
            )
    return report


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def formwork_binary() -> Path:
    path = Path(os.environ.get("FORMWORK_BIN", ".build/debug/formwork"))
    return path if path.is_absolute() else REPO_ROOT / path


def make_client(endpoint: str, service: str = "dynamodb"):
    """A client (DynamoDB unless `service` says otherwise) for one server: dummy credentials,
    no retries, bounded timeouts."""
    session = boto3.session.Session(
        aws_access_key_id="AKIDFORMWORKTEST",
        aws_secret_access_key="formwork-test-secret",
        region_name=REGION,
    )
    return session.client(
        service,
        endpoint_url=endpoint,
        config=Config(
            # No retries: botocore's `max_attempts` counts retries (it adds one for the first
            # attempt), so "the first attempt only" is `total_max_attempts: 1`. In the legacy
            # retry mode a DynamoDB response whose `x-amz-crc32` header does not match its
            # body then raises ChecksumError (the standard mode would accept it silently once
            # no retry is left).
            retries={"total_max_attempts": 1, "mode": "legacy"},
            connect_timeout=5,
            read_timeout=30,
        ),
    )


def _start(server: ServerProcess) -> ServerProcess:
    _SERVERS.append(server)
    try:
        server.start()
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
    return server


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-logs")


@pytest.fixture(scope="session")
def formwork_server(log_dir: Path) -> Iterator[ServerProcess]:
    binary = formwork_binary()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.fail(
            f"No formwork binary at {binary}. Build it (`swift build`) or point FORMWORK_BIN at it, e.g.\n"
            f"  FORMWORK_BIN=.build/debug/formwork python3 -m pytest tests/sdk -q",
            pytrace=False,
        )
    port = free_port()
    server = ServerProcess(
        "formwork simulate",
        [str(binary), "simulate", "--in-memory", "--port", str(port), "--host", HOST, "--env", "dev"],
        port,
        log_dir / "formwork-simulate.log",
        ready_text=f"listening on http://{HOST}:{port}",
    )
    _start(server)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_server(log_dir: Path) -> Iterator[ServerProcess]:
    port = free_port()
    server = ServerProcess(
        "moto server",
        [sys.executable, "-m", "moto.server", "-p", str(port), "-H", HOST],
        port,
        log_dir / "moto-server.log",
    )
    _start(server)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def formwork(formwork_server: ServerProcess):
    """A boto3 DynamoDB client for `formwork simulate`."""
    return make_client(formwork_server.endpoint)


@pytest.fixture(scope="session")
def formwork_tables(formwork) -> dict[str, dict]:
    """DescribeTable's Table for each table Formwork's ListTables names."""
    names: list[str] = []
    kwargs: dict = {}
    for _ in range(100):
        page = formwork.list_tables(**kwargs)
        names += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            break
        kwargs = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    return {name: formwork.describe_table(TableName=name)["Table"] for name in names}


def create_table_like(client, table: dict) -> None:
    """CreateTable with `table`'s (a DescribeTable Table) keys, indexes and projections."""

    def index(description: dict) -> dict:
        projection = {"ProjectionType": description["Projection"]["ProjectionType"]}
        if description["Projection"].get("NonKeyAttributes"):
            projection["NonKeyAttributes"] = description["Projection"]["NonKeyAttributes"]
        return {"IndexName": description["IndexName"], "KeySchema": description["KeySchema"], "Projection": projection}

    request = {
        "TableName": table["TableName"],
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": table["AttributeDefinitions"],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if table.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = [index(g) for g in table["GlobalSecondaryIndexes"]]
    if table.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = [index(i) for i in table["LocalSecondaryIndexes"]]
    client.create_table(**request)
    deadline = time.monotonic() + START_TIMEOUT
    while client.describe_table(TableName=table["TableName"])["Table"]["TableStatus"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise ServerError(f"moto's table {table['TableName']} did not become ACTIVE")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def moto(moto_server: ServerProcess, formwork_tables: dict[str, dict]):
    """A boto3 DynamoDB client for the moto server, which holds the tables Formwork describes."""
    client = make_client(moto_server.endpoint)
    for table in formwork_tables.values():
        create_table_like(client, table)
    return client


def empty_table(client, name: str) -> None:
    """Deletes every item of a table (Scan, then DeleteItem by key), in a bounded number of calls."""
    key_names = [k["AttributeName"] for k in client.describe_table(TableName=name)["Table"]["KeySchema"]]
    keys: list[dict] = []
    kwargs: dict = {"TableName": name}
    for _ in range(1000):
        page = client.scan(**kwargs)
        keys += [{k: item[k] for k in key_names} for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    for key in keys:
        client.delete_item(TableName=name, Key=key)


@pytest.fixture
def empty_tables(formwork, moto, formwork_tables) -> None:
    """Every DynamoDB test starts with the same, empty, tables on both servers.

    Not autouse: test_dynamodb_parity.py applies it to all its tests (`pytestmark`), so tests
    of other services neither need the DynamoDB fixtures nor wait for the tables."""
    for name in formwork_tables:
        empty_table(formwork, name)
        empty_table(moto, name)


# --------------------------------------------------------------------------------------------
# Cognito Identity Provider (user pools)
# --------------------------------------------------------------------------------------------


class UserPool:
    """One server's user pool and app client, and a boto3 `cognito-idp` client for it."""

    def __init__(self, name: str, server: ServerProcess, user_pool_id: str, client_id: str):
        self.name = name
        self.server = server
        self.client = make_client(server.endpoint, "cognito-idp")
        self.user_pool_id = user_pool_id
        self.client_id = client_id

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    def http(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        """A plain HTTP request to the server (`path` from the root); the status and JSON answer."""
        return http_json(method, self.endpoint + path, body)

    def __repr__(self) -> str:
        return f"UserPool({self.name}, {self.user_pool_id}, client {self.client_id})"


def http_json(method: str, url: str, body: dict | None = None, timeout: float = 30) -> tuple[int, Any]:
    """One plain HTTP request with an optional JSON body; the status and the JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text or b"null")
        except ValueError:
            return error.code, {"body": text.decode(errors="replace")}


def formwork_endpoints(server: ServerProcess) -> dict:
    """`GET /_formwork/endpoints` of a Formwork simulator."""
    status, document = http_json("GET", f"{server.endpoint}/_formwork/endpoints")
    if status != 200 or not isinstance(document, dict):
        raise ServerError(f"{server.name}: GET /_formwork/endpoints answered {status}: {document!r}")
    return document


@pytest.fixture(scope="session")
def formwork_idp(formwork_server: ServerProcess) -> UserPool:
    """Formwork's user pool (from /_formwork/endpoints) and a `cognito-idp` client for it."""
    try:
        endpoints = formwork_endpoints(formwork_server)
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
    return UserPool("formwork", formwork_server, endpoints["userPoolId"], endpoints["userPoolClientId"])


@pytest.fixture(scope="session")
def formwork_pool_settings(formwork_idp: UserPool) -> dict:
    """What Formwork's DescribeUserPool, DescribeUserPoolClient and ListGroups answer."""
    client = formwork_idp.client
    pool = client.describe_user_pool(UserPoolId=formwork_idp.user_pool_id)["UserPool"]
    app_client = client.describe_user_pool_client(
        UserPoolId=formwork_idp.user_pool_id, ClientId=formwork_idp.client_id
    )["UserPoolClient"]
    groups: list[dict] = []
    kwargs: dict = {"UserPoolId": formwork_idp.user_pool_id}
    for _ in range(100):
        page = client.list_groups(**kwargs)
        groups += page["Groups"]
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    return {"pool": pool, "client": app_client, "groups": groups}


#: The DescribeUserPool fields that CreateUserPool takes as they are.
_POOL_FIELDS = (
    "Policies", "AutoVerifiedAttributes", "AliasAttributes", "UsernameAttributes", "UsernameConfiguration",
    "MfaConfiguration", "AdminCreateUserConfig", "AccountRecoverySetting", "VerificationMessageTemplate",
)
#: The DescribeUserPoolClient fields that CreateUserPoolClient takes as they are.
_CLIENT_FIELDS = (
    "ClientName", "ExplicitAuthFlows", "PreventUserExistenceErrors", "EnableTokenRevocation",
    "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits",
    "ReadAttributes", "WriteAttributes", "AuthSessionValidity",
)


def create_user_pool_like(client, settings: dict) -> tuple[str, str]:
    """CreateUserPool, CreateUserPoolClient and CreateGroup with the settings Formwork describes
    (`formwork_pool_settings`); the new pool's id and client id."""
    pool = settings["pool"]
    request = {"PoolName": pool["Name"], **{k: pool[k] for k in _POOL_FIELDS if pool.get(k) is not None}}
    if "PasswordPolicy" in request.get("Policies", {}):
        request["Policies"] = {"PasswordPolicy": request["Policies"]["PasswordPolicy"]}
    # The schema: the required standard attributes and the custom ones (CreateUserPool takes a
    # custom attribute's name without its `custom:` prefix).
    schema = []
    for attribute in pool.get("SchemaAttributes", []):
        name = attribute["Name"]
        if name.startswith("custom:") or (attribute.get("Required") and name != "sub"):
            entry = {k: v for k, v in attribute.items() if k in (
                "AttributeDataType", "DeveloperOnlyAttribute", "Mutable", "Required",
                "StringAttributeConstraints", "NumberAttributeConstraints")}
            schema.append({"Name": name.removeprefix("custom:"), **entry})
    if schema:
        request["Schema"] = schema
    user_pool_id = client.create_user_pool(**request)["UserPool"]["Id"]

    app_client = settings["client"]
    client_request = {k: app_client[k] for k in _CLIENT_FIELDS if app_client.get(k) is not None}
    client_request["GenerateSecret"] = bool(app_client.get("ClientSecret"))
    client_id = client.create_user_pool_client(UserPoolId=user_pool_id, **client_request)["UserPoolClient"]["ClientId"]

    for group in settings["groups"]:
        client.create_group(UserPoolId=user_pool_id, **{k: group[k] for k in ("GroupName", "Description", "Precedence")
                                                        if group.get(k) is not None})
    return user_pool_id, client_id


@pytest.fixture(scope="session")
def moto_idp(moto_server: ServerProcess, formwork_pool_settings: dict) -> UserPool:
    """A user pool on the moto server made like Formwork's (see `create_user_pool_like`)."""
    client = make_client(moto_server.endpoint, "cognito-idp")
    user_pool_id, client_id = create_user_pool_like(client, formwork_pool_settings)
    return UserPool("moto", moto_server, user_pool_id, client_id)


class FormworkLauncher:
    """Starts `formwork simulate` processes for one test; `stop_all` stops what is still running."""

    def __init__(self, log_dir: Path, test_name: str):
        self.binary = formwork_binary()
        self.log_dir = log_dir
        self.test_name = "".join(c if c.isalnum() else "-" for c in test_name)[:60]
        self.servers: list[ServerProcess] = []

    def argv(self, port: int, *options: str) -> list[str]:
        return [str(self.binary), "simulate", "--port", str(port), "--host", HOST, "--env", "dev", *options]

    def start(self, *options: str) -> ServerProcess:
        """A started server (`--env dev` on a free port, plus `options`); fails the test if it
        does not start."""
        if not self.binary.is_file():
            pytest.fail(f"No formwork binary at {self.binary} (FORMWORK_BIN)", pytrace=False)
        port = free_port()
        number = len(self.servers) + 1
        server = ServerProcess(
            f"formwork simulate #{number} of {self.test_name}",
            self.argv(port, *options),
            port,
            self.log_dir / f"formwork-{self.test_name}-{number}.log",
            ready_text=f"listening on http://{HOST}:{port}",
        )
        self.servers.append(server)
        return _start(server)

    def user_pool(self, server: ServerProcess) -> UserPool:
        """The user pool a started server names at /_formwork/endpoints."""
        endpoints = formwork_endpoints(server)
        return UserPool(server.name, server, endpoints["userPoolId"], endpoints["userPoolClientId"])

    def run_to_exit(self, *options: str, timeout: float = START_TIMEOUT) -> tuple[int | None, str]:
        """Runs `formwork simulate` (`--env dev`, a free port, plus `options`) expecting it to
        exit by itself; its exit status (None if it was still running after `timeout` and had to
        be stopped) and its output."""
        completed_log = self.log_dir / f"formwork-{self.test_name}-exit-{len(self.servers) + 1}.log"
        with open(completed_log, "wb") as log:
            proc = subprocess.Popen(self.argv(free_port(), *options), cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                code: int | None = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                code = None
                proc.terminate()
                try:
                    proc.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=STOP_TIMEOUT)
        return code, completed_log.read_text(errors="replace")

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()
            if server in _SERVERS:
                _SERVERS.remove(server)


@pytest.fixture
def formwork_launcher(log_dir: Path, request: pytest.FixtureRequest) -> Iterator[FormworkLauncher]:
    """Further `formwork simulate` processes for one test, stopped when it ends."""
    launcher = FormworkLauncher(log_dir, request.node.name)
    yield launcher
    launcher.stop_all()
