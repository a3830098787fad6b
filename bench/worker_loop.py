#!/usr/bin/env python3
# Copyright (C) 2026 The QGobridge Authors.
# SPDX-License-Identifier: MIT
"""W2 without the Qt side and without sleeps: what one call costs the worker.

A forked client writes N add(3, 4) calls at once and reads the N answers, so
the serving loop always finds the next call waiting and never sleeps; the
figure is the serving process's CPU time per call:

- the worker: gobridge's call connection (``CallConnection.serve()``) on one
  end of a socket pair, in this process, calls framed as the host frames them;
- the bridge: ``bridge_worker.py`` (the bench's QProcess bridge) in a child
  process reading JSON lines from a pipe (its interpreter's start included).

In W2 every call also wakes the worker's thread; here none does, so the
difference between the two figures is the per-call work of the two loops.
Standard library only.

    python3 bench/worker_loop.py [--calls 50000] [--repeats 3]
"""

import argparse
import os
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

from gobridge import _wire  # noqa: E402
from gobridge import gobridge  # noqa: E402
from gobridge._connection import CallConnection  # noqa: E402

HEADER = struct.Struct(">I")


@gobridge
def add(a: int, b: int) -> int:
    return a + b


class _Server:
    """What a call connection asks of its server."""
    max_frame = 1 << 24

    def __init__(self):
        self.conns = {}


def _client(answers, calls, read_answer, write_calls):
    """In a forked child: write every call, read every answer from the
    binary stream ``answers``, exit."""
    def drain():
        for _ in range(calls):
            read_answer(answers)
        os._exit(0)
    threading.Thread(target=drain, daemon=True).start()
    write_calls()
    time.sleep(600)
    os._exit(1)


def worker_loop(calls):
    """CPU microseconds per call of gobridge's serving loop."""
    ours, theirs = socket.socketpair()
    frames = []
    for i in range(1, calls + 1):
        payload = b'{"type":"call","id":%d,"method":"add","args":[3,4]}' % i
        frames.append(HEADER.pack(len(payload)) + payload)

    def read_answer(stream):
        (size,) = HEADER.unpack(stream.read(4))
        stream.read(size)

    pid = os.fork()
    if pid == 0:
        ours.close()
        data = b"".join(frames)
        _client(theirs.makefile("rb"), calls, read_answer,
                lambda: theirs.sendall(data))
    theirs.close()
    conn = CallConnection(_Server(), ours, _wire.Reader(ours, 1 << 24), 1)
    start = time.process_time()
    conn.serve()                    # until the client closes
    used = time.process_time() - start
    os.waitpid(pid, 0)
    return used / calls * 1e6


def bridge_loop(calls):
    """CPU microseconds per call of the bridge's Python loop (a child)."""
    calls_in, calls_out = os.pipe()
    answers_in, answers_out = os.pipe()
    data = b"".join(b'{"id": %d, "m": "add", "a": [3, 4]}\n' % i
                    for i in range(calls))
    pid = os.fork()
    if pid == 0:
        os.close(calls_in)
        os.close(answers_out)

        def write_calls():
            with os.fdopen(calls_out, "wb") as out:
                out.write(data)
        _client(os.fdopen(answers_in, "rb"), calls,
                lambda stream: stream.readline(), write_calls)
    os.close(calls_out)
    os.close(answers_in)
    before = os.times()
    subprocess.run([sys.executable, os.path.join(HERE, "bridge_worker.py")],
                   stdin=calls_in, stdout=answers_out, check=True)
    after = os.times()
    os.close(calls_in)
    os.close(answers_out)
    os.waitpid(pid, 0)
    used = ((after.children_user - before.children_user)
            + (after.children_system - before.children_system))
    return used / calls * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=50000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ours, theirs = [], []
    for _ in range(args.repeats):
        ours.append(worker_loop(args.calls))
        theirs.append(bridge_loop(args.calls))
    print("worker loop: %.2f us of CPU per call (median of %d: %s)"
          % (statistics.median(ours), len(ours),
             ", ".join("%.2f" % v for v in ours)))
    print("bridge loop: %.2f us of CPU per call (median of %d: %s; "
          "its interpreter's start included)"
          % (statistics.median(theirs), len(theirs),
             ", ".join("%.2f" % v for v in theirs)))


if __name__ == "__main__":
    main()
