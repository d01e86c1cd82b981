"""Fixtures for the web app's end-to-end test: a `formwork simulate` server and headless Chromium.

What this proves: that the task-management web app in `blueprints/site`, served by the
simulator with the blueprint's Content-Security-Policy, signs people in through the simulated
Cognito user pool and works against the simulated REST API in a real browser.

How it works:
  * For each test, `formwork simulate --in-memory --port N --host 127.0.0.1 --clock virtual
    --start 2026-12-01T09:00:00Z --users FILE` is started from the binary named by FORMWORK_BIN
    (default `.build/debug/formwork`; a relative path is taken from the repository root) on a
    free port, and stopped when the test ends. FILE holds one administrator (ADMIN_EMAIL,
    ADMIN_PASSWORD). The virtual clock stands still unless a test moves it
    (`Simulator.advance`); the web app judges deadlines on the service's clock (from its tokens),
    so the tests pick deadlines from `Simulator.now()`, not from the machine's clock.
  * `browser_factory` starts Chromium through chromedriver (CHROMEDRIVER, default
    /usr/bin/chromedriver; CHROMIUM, default /usr/bin/chromium), headless, with the browser's
    console log kept (`goog:loggingPrefs`), one fresh profile per browser, and quits them when
    the test ends. A failing test saves each browser's screenshot, HTML and console log.
  * Screenshots go to FORMWORK_ARTIFACTS (default `.build/browser-artifacts/`, from the
    repository root), with the simulator's log.

Run it (after `swift build`), from the repository root:

    apt-get install -y chromium chromium-driver
    python3 -m pip install -r tests/browser/requirements.txt
    python3 -m pytest tests/browser -q
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "Admin-Passw0rd!"
#: Where the simulator's virtual clock starts.
CLOCK_START = "2026-12-01T09:00:00Z"
#: How long the simulator may take to start, and to stop after SIGTERM.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def repo_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def http_json(method: str, url: str, body: Any = None, timeout: float = 30) -> tuple[int, Any]:
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


@dataclass
class Simulator:
    url: str
    log_path: Path
    process: subprocess.Popen

    def outbox(self, to: str) -> list[dict]:
        status, document = http_json("GET", f"{self.url}/_formwork/outbox?to={urllib.parse.quote(to)}")
        assert status == 200, f"GET /_formwork/outbox answered {status}: {document!r}"
        return document["messages"]

    def now(self) -> datetime:
        """The simulator's clock."""
        status, document = http_json("GET", f"{self.url}/_formwork/clock")
        assert status == 200, f"GET /_formwork/clock answered {status}: {document!r}"
        return datetime.fromisoformat(document["now"].replace("Z", "+00:00"))

    def advance(self, duration: str) -> datetime:
        """Moves the clock (ISO 8601 duration, e.g. PT3H), running what falls due on the way."""
        status, document = http_json("POST", f"{self.url}/_formwork/clock", {"advance": duration})
        assert status == 200, f"POST /_formwork/clock answered {status}: {document!r}"
        return datetime.fromisoformat(document["now"].replace("Z", "+00:00"))

    def log_tail(self, chars: int = 4000) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text if len(text) <= chars else "…" + text[-chars:]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keeps each phase's report on the test item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def artifacts() -> Path:
    directory = repo_path(os.environ.get("FORMWORK_ARTIFACTS", ".build/browser-artifacts"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="session")
def admin_account() -> tuple[str, str]:
    """The administrator the simulator creates at start: (e-mail, password)."""
    return ADMIN_EMAIL, ADMIN_PASSWORD


@pytest.fixture
def simulator(request: pytest.FixtureRequest, artifacts: Path, tmp_path: Path) -> Iterator[Simulator]:
    """A fresh simulator for one test (in memory: nothing is shared between tests)."""
    binary = repo_path(os.environ.get("FORMWORK_BIN", ".build/debug/formwork"))
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.fail(f"No formwork binary at {binary}. Build it (`swift build`) or point FORMWORK_BIN at it.", pytrace=False)
    users = tmp_path / "users.yaml"
    users.write_text(f"- email: {ADMIN_EMAIL}\n  password: {ADMIN_PASSWORD}\n  groups: [Admin]\n")
    port = free_port()
    argv = [str(binary), "simulate", "--in-memory", "--port", str(port), "--host", HOST,
            "--clock", "virtual", "--start", CLOCK_START, "--users", str(users)]
    log_path = artifacts / f"simulator-{request.node.name}.log"
    log = open(log_path, "wb")
    log.write(f"$ {' '.join(argv)}\n".encode())
    log.flush()
    process = subprocess.Popen(argv, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    server = Simulator(f"http://{HOST}:{port}", log_path, process)
    ready = f"listening on http://{HOST}:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while ready not in log_path.read_text(errors="replace"):
            if process.poll() is not None:
                pytest.fail(f"formwork simulate exited with status {process.returncode}:\n{server.log_tail()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"formwork simulate was not ready after {START_TIMEOUT:.0f} s:\n{server.log_tail()}", pytrace=False)
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
        log.close()


def chrome_options(window: tuple[int, int]) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", "--disable-extensions", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--lang=en-US",
                     f"--window-size={window[0]},{window[1]}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


@pytest.fixture
def browser_factory(request: pytest.FixtureRequest, artifacts: Path) -> Iterator[Callable[..., webdriver.Chrome]]:
    """Starts a fresh headless Chromium: browser_factory("admin", window=(1280, 900))."""
    chromedriver = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for tool, package in ((chromedriver, "chromium-driver"), (chromium, "chromium")):
        if not (Path(tool).is_file() or shutil.which(tool)):
            pytest.fail(f"{tool} is missing: apt-get install -y chromium chromium-driver ({package})", pytrace=False)
    drivers: dict[str, webdriver.Chrome] = {}

    def start(name: str, window: tuple[int, int] = (1280, 900)) -> webdriver.Chrome:
        for old in artifacts.glob(f"failure-{name}.*"):
            old.unlink()
        for old in artifacts.glob(f"failure-{name}-console.log"):
            old.unlink()
        driver = webdriver.Chrome(options=chrome_options(window), service=Service(executable_path=chromedriver))
        driver.set_page_load_timeout(60)
        drivers[name] = driver
        return driver

    yield start

    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    for name, driver in drivers.items():
        try:
            if failed:
                driver.save_screenshot(str(artifacts / f"failure-{name}.png"))
                (artifacts / f"failure-{name}.html").write_text(driver.page_source)
                entries = driver.get_log("browser")
                (artifacts / f"failure-{name}-console.log").write_text(
                    "\n".join(f"{e.get('level')} {e.get('source', '')} {e.get('message')}" for e in entries))
        except Exception as error:  # noqa: BLE001 - a failure report must not hide the failure
            print(f"could not save the failure artifacts of {name}: {error}")
        finally:
            driver.quit()
