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
  * Before every test, every table on both servers is emptied, so each test starts from the
    same (empty) state on both sides.
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

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

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


def make_client(endpoint: str):
    """A DynamoDB client for one server: dummy credentials, no retries, bounded timeouts."""
    session = boto3.session.Session(
        aws_access_key_id="AKIDFORMWORKTEST",
        aws_secret_access_key="formwork-test-secret",
        region_name=REGION,
    )
    return session.client(
        "dynamodb",
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


@pytest.fixture(autouse=True)
def empty_tables(formwork, moto, formwork_tables) -> None:
    """Every test starts with the same, empty, tables on both servers."""
    for name in formwork_tables:
        empty_table(formwork, name)
        empty_table(moto, name)
