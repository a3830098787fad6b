#!/usr/bin/env python3
# Copyright (C) 2026 The QGobridge Authors.
# SPDX-License-Identifier: MIT
"""W1 without the Qt side: is the Python worker slower than the floor's server?

One Python client sends sequential add(3, 4) calls over the raw protocol, one
at a time, to a gobridge worker (bench_worker.py, started the way a pool starts
it, handshake included) and to the floor's server (floor_server.py), and prints
the p50 and p99 round trip of each. The client is the same for both, so the
difference is the servers'. Standard library only.

    python3 bench/worker_latency.py [--calls 10000] [--repeats 3]
"""

import argparse
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "python"))
import gbtest  # noqa: E402  (the tests' harness: starts workers like a pool)

HEADER = struct.Struct(">I")


def round_trips(sock, calls, payload_of):
    """Sequential calls; returns each round trip in microseconds."""
    buffered = b""
    times = []
    for i in range(1, calls + 1):
        payload = payload_of(i)
        start = time.perf_counter()
        sock.sendall(HEADER.pack(len(payload)) + payload)
        while True:
            if len(buffered) >= 4:
                (size,) = HEADER.unpack_from(buffered)
                if len(buffered) >= 4 + size:
                    buffered = buffered[4 + size:]
                    break
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("the server closed the connection")
            buffered += chunk
        times.append((time.perf_counter() - start) * 1e6)
    return times


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def gobridge_worker(calls):
    worker = gbtest.Worker(script=os.path.join(HERE, "bench_worker.py"))
    try:
        conn = worker.connect()
        return round_trips(
            conn.sock, calls,
            lambda i: b'{"type":"call","id":%d,"method":"add","args":[3,4],'
                      b'"window":1024}' % i)
    finally:
        worker.stop()


def floor_server(calls):
    directory = tempfile.mkdtemp(prefix="qgb-floor-")
    path = os.path.join(directory, "floor.sock")
    server = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "floor_server.py"), path],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        server.stdout.readline()   # "ready"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
        try:
            return round_trips(sock, calls, lambda i: b'{"m":"add","a":[3,4]}')
        finally:
            sock.close()
    finally:
        server.kill()
        server.wait()
        os.unlink(path)
        os.rmdir(directory)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = {"gobridge worker": [], "floor server": []}
    for _ in range(args.repeats):   # alternated, like qgb_bench
        rows["gobridge worker"].append(gobridge_worker(args.calls))
        rows["floor server"].append(floor_server(args.calls))
    print("Python %s, %d sequential add(3, 4) calls x %d, median of the "
          "repetitions" % (sys.version.split()[0], args.calls, args.repeats))
    print("| server | p50 | p99 |")
    print("|---|---:|---:|")
    for name, runs in rows.items():
        p50 = statistics.median(percentile(r, 0.50) for r in runs)
        p99 = statistics.median(percentile(r, 0.99) for r in runs)
        print("| %s | %.1f µs | %.1f µs |" % (name, p50, p99))


if __name__ == "__main__":
    main()
