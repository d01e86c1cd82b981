#!/usr/bin/env python3
"""Cold start and idle memory of `formwork simulate` beside moto's server, in one run.

    python3 scripts/bench_startup.py .build/release/formwork [--runs 11]

Cold start: from process start (just before the fork) to the first HTTP 200 from the health
endpoint (`/_formwork/health` for Formwork with the whole dev blueprint loaded, `/moto-api/`
for moto), polled every millisecond. Idle memory: the resident set size (VmRSS) one second
after the server answered. Each server is started `--runs` times; the medians are printed
with the ratio.
"""

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port, path):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", path)
        status = connection.getresponse().status
        connection.close()
        return status == 200
    except OSError:
        return False


def resident_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(argv_for_port, path, runs, timeout=60):
    starts, memory = [], []
    for _ in range(runs):
        port = free_port()
        began = time.perf_counter()
        process = subprocess.Popen(argv_for_port(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            while not ready(port, path):
                if process.poll() is not None:
                    raise RuntimeError(f"{argv_for_port(port)[0]} exited with {process.returncode}")
                if time.perf_counter() - began > timeout:
                    raise RuntimeError(f"no answer on {path} within {timeout} s")
                time.sleep(0.001)
            starts.append((time.perf_counter() - began) * 1000)
            time.sleep(1)
            memory.append(resident_mb(process.pid))
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    return statistics.median(starts), statistics.median(memory)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("formwork")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    formwork = measure(lambda port: [args.formwork, "simulate", "--in-memory", "--env", "dev", "--port", str(port)],
                       "/_formwork/health", args.runs)
    moto = measure(lambda port: [sys.executable, "-m", "moto.server", "-p", str(port), "-H", "127.0.0.1"],
                   "/moto-api/", args.runs)
    print(f"cold start to health 200, median of {args.runs}: formwork {formwork[0]:.1f} ms, moto {moto[0]:.1f} ms,"
          f" ratio {moto[0] / formwork[0]:.1f}x")
    print(f"idle resident memory, median of {args.runs}: formwork {formwork[1]:.1f} MB, moto {moto[1]:.1f} MB")


if __name__ == "__main__":
    main()
