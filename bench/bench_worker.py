"""The QGobridge side of the benchmark: the same functions as floor_server.py,
exposed with @gobridge, plus what the absolute workloads (W7, W8, W10) need."""

import time
from typing import Iterator

from gobridge import gobridge, progress, run


@gobridge
def add(a: int, b: int) -> int:
    return a + b


@gobridge
def echo(value):
    """W6 (a list of dicts) and W9 (bytes): returns its argument."""
    return value


@gobridge
def range_gen(n: int) -> Iterator[int]:
    for i in range(n):
        yield i


@gobridge
def sum_stream(numbers: Iterator[int]) -> int:
    total = 0
    for x in numbers:
        total += x
    return total


@gobridge
def echo_stream(items: Iterator) -> Iterator:
    for item in items:
        yield item


# --- --scaling ---------------------------------------------------------------

PATTERN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def payload(size: int) -> str:
    """size ASCII characters: the same text as floor_server.py's and the host's."""
    return (PATTERN * (size // len(PATTERN) + 1))[:size]


@gobridge
def payload_gen(n: int, size: int) -> Iterator[str]:
    """W3 vs payload: n items, each a str of size characters."""
    item = payload(size)
    for _ in range(n):
        yield item


@gobridge
def nap(seconds: float) -> float:
    """Holds a connection for a while: the benchmark opens every connection of
    a pool with concurrent naps before it measures."""
    time.sleep(seconds)
    return seconds


# --- W7: cancellation ------------------------------------------------------

_runs = {}


@gobridge
def busy_loop(token: int, max_seconds: float = 30.0) -> int:
    """Spins until cancelled; records when it started and stopped (wall clock,
    the host compares with its own CLOCK_REALTIME)."""
    record = _runs[token] = [time.time(), None]
    deadline = time.monotonic() + max_seconds
    x = 0
    try:
        while True:
            for _ in range(10000):
                x += 1
            if time.monotonic() > deadline:
                return x
    finally:
        record[1] = time.time()


@gobridge
def busy_loop_times(token: int) -> list:
    """[started, stopped] of busy_loop(token) in seconds since the epoch, or []
    if it never ran (the cancel overtook the call)."""
    record = _runs.pop(token, None)
    return [] if record is None or record[1] is None else record


# W8 needs no function: the benchmark kills the worker with SIGKILL itself,
# so that it knows the exact moment of death.


# --- W10: a fast producer ----------------------------------------------------

@gobridge
def big_stream(total_bytes: int, item_size: int) -> Iterator[bytes]:
    """Yields total_bytes in items of item_size bytes, as fast as it can."""
    item = b"x" * item_size
    for _ in range(total_bytes // item_size):
        yield item


# --- W11: the cost of gobridge.progress() ------------------------------------

@gobridge
def progress_loop(n: int, report: bool) -> float:
    """Seconds a loop of n steps takes, reporting each step when report."""
    clock = time.perf_counter
    start = clock()
    if report:
        for i in range(n):
            progress(i, n)
    else:
        for i in range(n):
            pass
    return clock() - start


@gobridge
def add_reporting(a: int, b: int) -> int:
    """add() that reports its progress once (the report goes out at once)."""
    progress(1, 1)
    return a + b


run()
