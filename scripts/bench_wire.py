#!/usr/bin/env python3
"""boto3 throughput through the DynamoDB wire API: formwork simulate against moto_server,
measured in the same run on the same machine.

    python3 scripts/bench_wire.py .build/release/formwork [--puts 2000]

Starts `formwork simulate --in-memory` and moto's server on free loopback ports, creates in
moto the table Formwork serves, then times sequential PutItem and GetItem calls from one boto3
client against each. Prints ops/s and the ratio.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time

import boto3
from botocore.config import Config

TABLE = "taskmgmt-dev-tasks"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start within {timeout} s")


def client(port):
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="bench", aws_secret_access_key="bench",
                        config=Config(retries={"max_attempts": 1}))


def measure(ddb, count):
    start = time.perf_counter()
    for i in range(count):
        ddb.put_item(TableName=TABLE, Item={"taskId": {"S": f"t{i}"}, "title": {"S": f"Task {i}"},
                                            "assigneeId": {"S": f"u{i % 50}"}, "deadline": {"S": "2026-12-01T00:00:00Z"},
                                            "status": {"S": "todo"}, "version": {"N": "1"}})
    puts = count / (time.perf_counter() - start)
    start = time.perf_counter()
    for i in range(count):
        ddb.get_item(TableName=TABLE, Key={"taskId": {"S": f"t{i}"}})
    gets = count / (time.perf_counter() - start)
    return puts, gets


def measure_concurrent(port, count, threads=4):
    """PutItem from several threads, each with its own client: what the server sustains when one
    client is not the limit."""
    from concurrent.futures import ThreadPoolExecutor
    clients = [client(port) for _ in range(threads)]

    def work(index):
        ddb = clients[index]
        for i in range(index, count, threads):
            ddb.put_item(TableName=TABLE, Item={"taskId": {"S": f"c{i}"}, "title": {"S": f"Task {i}"}})

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(work, range(threads)))
    return count / (time.perf_counter() - start)


def wrk_rate(wrk, port):
    """Requests per second wrk reaches with PutItem bodies (scripts/putitem.lua)."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "putitem.lua")
    output = subprocess.run([wrk, "-t2", "-c8", "-d5s", "-s", script, f"http://127.0.0.1:{port}/"],
                            capture_output=True, text=True, timeout=60).stdout
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(f"wrk printed no rate: {output}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("formwork")
    parser.add_argument("--puts", type=int, default=2000)
    args = parser.parse_args()
    fw_port, moto_port = free_port(), free_port()
    formwork = subprocess.Popen([args.formwork, "simulate", "--in-memory", "--env", "dev", "--port", str(fw_port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(fw_port, formwork)
        wait_for(moto_port, moto)
        fw, mt = client(fw_port), client(moto_port)
        table = fw.describe_table(TableName=TABLE)["Table"]
        mt.create_table(TableName=TABLE, KeySchema=table["KeySchema"], AttributeDefinitions=table["AttributeDefinitions"],
                        BillingMode="PAY_PER_REQUEST",
                        GlobalSecondaryIndexes=[{"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
                                                for i in table.get("GlobalSecondaryIndexes", [])])
        measure(fw, 100), measure(mt, 100)  # warm up both
        fw_puts, fw_gets = measure(fw, args.puts)
        mt_puts, mt_gets = measure(mt, args.puts)
        print(f"boto3 PutItem: formwork {fw_puts:.0f}/s, moto {mt_puts:.0f}/s, ratio {fw_puts / mt_puts:.1f}x (goal >= 4x)")
        print(f"boto3 GetItem: formwork {fw_gets:.0f}/s, moto {mt_gets:.0f}/s, ratio {fw_gets / mt_gets:.1f}x")
        fw_parallel, mt_parallel = measure_concurrent(fw_port, args.puts), measure_concurrent(moto_port, args.puts)
        wrk = shutil.which("wrk")
        if wrk:
            rates = [wrk_rate(wrk, port) for port in (fw_port, moto_port)]
            print(f"server PutItem capacity (wrk, 2 threads, 8 connections, 5 s): formwork {rates[0]:.0f}/s, moto {rates[1]:.0f}/s, "
                  f"ratio {rates[0] / rates[1]:.1f}x")
        print(f"boto3 PutItem, 4 client threads: formwork {fw_parallel:.0f}/s, moto {mt_parallel:.0f}/s, "
              f"ratio {fw_parallel / mt_parallel:.1f}x")
    finally:
        for process in (formwork, moto):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
