#!/usr/bin/env python3
"""The request path under load: an authenticated GET /tasks/{taskId} through the gateway, the
Cognito authorizer, the function and the table, beside a bare route of the same server that
answers a constant (/_formwork/health), and the site's GET /index.html, in one run.

    python3 scripts/bench_gateway.py .build/release/formwork [--seconds 10]

Starts `formwork simulate --in-memory --unthrottled` (stage throttling off, so the figure is
the path's, not the model's rate limit) with a seeded admin, creates a task through the API,
then runs `wrk -t2 -c32 --latency` against each URL and prints requests/s, p50 and p99, and
the full path as a share of the bare route.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"formwork exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_formwork/health", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("formwork did not start")


def wrk(url, seconds, token=None):
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: {token}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(label):
        match = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rps, percentile("50"), percentile("99"), int(non_2xx.group(1)) if non_2xx else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("formwork")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as users:
        users.write("- email: bench@example.com\n  password: Bench-Passw0rd!\n  groups: [Admin]\n")
    process = subprocess.Popen(
        [args.formwork, "simulate", "--in-memory", "--unthrottled", "--env", "dev", "--port", str(port), "--users", users.name],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_ready(port, process)
        endpoints = json.load(urllib.request.urlopen(f"{endpoint}/_formwork/endpoints"))
        cognito = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                               aws_access_key_id="bench", aws_secret_access_key="bench")
        token = cognito.initiate_auth(
            ClientId=endpoints["userPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "bench@example.com", "PASSWORD": "Bench-Passw0rd!"})["AuthenticationResult"]["IdToken"]

        def api(method, path, body=None):
            request = urllib.request.Request(endpoints["apiUrl"] + path, method=method,
                                             data=None if body is None else json.dumps(body).encode(),
                                             headers={"Authorization": token, "Content-Type": "application/json"})
            return json.load(urllib.request.urlopen(request))

        me = api("GET", "/me")
        task = api("POST", "/tasks", {"title": "Benchmark", "assigneeId": me["userId"], "deadline": "2099-01-01T00:00:00Z"})
        full = wrk(f"{endpoints['apiUrl']}/tasks/{task['taskId']}", args.seconds, token)
        bare = wrk(f"{endpoint}/_formwork/health", args.seconds)
        site = wrk(f"{endpoint}/index.html", args.seconds)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        os.unlink(users.name)
    for name, (rps, p50, p99, bad) in [("GET /tasks/{taskId} (authorizer, function, table)", full),
                                        ("bare route (/_formwork/health)", bare), ("site GET /index.html", site)]:
        print(f"{name}: {rps:,.0f} requests/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, non-2xx {bad}")
    print(f"full path / bare route: {full[0] / bare[0]:.0%} of the requests per second")


if __name__ == "__main__":
    sys.exit(main())
