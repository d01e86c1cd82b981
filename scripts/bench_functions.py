#!/usr/bin/env python3
"""The functions as processes (`formwork simulate --functions process`), in one run:

    python3 scripts/bench_functions.py .build/release/formwork [--runs 5] [--requests 300]

For each function: its zip's size (the CodeUri `formwork package` wrote), and its init
duration (from the process's start to its first `next`, as the REPORT line's Init Duration),
the median of `--runs` cold starts, each in a fresh simulator. Then one warm invocation through
the REST API (`GET /health`, the dashboard function), over HTTP, `--requests` times in a row in
each mode; the medians are printed side by side with their ratio.
"""

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, method="GET", body=None):
    request = urllib.request.Request(url, method=method, data=body)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


class Simulator:
    def __init__(self, binary, *options):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [binary, "simulate", "--in-memory", "--unthrottled", "--port", str(self.port), "--clock", "virtual",
             "--start", "2026-12-01T09:00:00Z", *options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                get(f"{self.endpoint}/_formwork/health")
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the simulator did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def proxy_event(path):
    return json.dumps({
        "resource": path, "path": path, "httpMethod": "GET", "headers": {}, "multiValueHeaders": {},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
        "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": path, "httpMethod": "GET", "path": "/dev" + path, "stage": "dev", "requestId": "bench",
                           "identity": {"sourceIp": "127.0.0.1"}, "accountId": "000000000000", "apiId": "bench",
                           "protocol": "HTTP/1.1", "requestTimeEpoch": 0, "domainName": "localhost"},
    }).encode()


def init_duration(simulator, function):
    """The Init Duration of the function's first invocation, in ms."""
    kinds = get(f"{simulator.endpoint}/_formwork/functions/{function}")
    # Any event starts the process; a handler that does not take it still reports its init.
    answer = get(f"{simulator.endpoint}/_formwork/functions/{function}/invoke", "POST", proxy_event("/health"))
    report = next(line["message"] for line in answer["log"] if line["message"].startswith("REPORT"))
    found = re.search(r"Init Duration: ([0-9.]+) ms", report)
    if not found:
        raise SystemExit(f"{function}: no Init Duration in {report!r} ({kinds['handler']})")
    return float(found.group(1))


def warm_latency(simulator, requests):
    api = get(f"{simulator.endpoint}/_formwork/endpoints")["apiUrl"]
    for _ in range(20):
        get(f"{api}/health")
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        get(f"{api}/health")
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.binary)

    probe = Simulator(binary)
    functions = [r["id"] for r in get(f"{probe.endpoint}/_formwork/architecture")["resources"] if r["kind"] == "function"]
    described = {f: get(f"{probe.endpoint}/_formwork/functions/{f}") for f in functions}
    probe.stop()

    inits = {f: [] for f in functions}
    for _ in range(arguments.runs):
        simulator = Simulator(binary, "--functions", "process")
        try:
            for function in functions:
                inits[function].append(init_duration(simulator, function))
        finally:
            simulator.stop()

    print(f"{'FUNCTION':<24} {'ZIP':>10} {'INIT (median of ' + str(arguments.runs) + ')':>22}")
    for function in functions:
        zip_path = described[function]["codeUri"]
        size = f"{os.path.getsize(zip_path) / 1048576:.1f} MB" if os.path.exists(zip_path) else "not built"
        print(f"{function:<24} {size:>10} {statistics.median(inits[function]):>19.1f} ms")

    medians = {}
    for mode, options in (("in-process", ()), ("process", ("--functions", "process"))):
        simulator = Simulator(binary, *options)
        try:
            medians[mode] = warm_latency(simulator, arguments.requests)
        finally:
            simulator.stop()
    print(f"warm GET /health through the REST API, median of {arguments.requests}: "
          f"in-process {medians['in-process']:.2f} ms, process {medians['process']:.2f} ms "
          f"(process / in-process = {medians['process'] / medians['in-process']:.2f})")


if __name__ == "__main__":
    main()
