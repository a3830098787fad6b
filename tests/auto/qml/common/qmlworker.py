"""Worker for the QML tests (tests/auto/qml/*): plain calls, failures,
generators (finite, endless, with changing keys), client and bidirectional
streams, calls that wait and record whether they were cancelled, and a crash.

What cancelled functions see is recorded in this process and returned by
events(), so a test can check the worker side of a cancellation.
"""
import os
import sys
import threading
import time
from typing import Iterator

import gobridge
from gobridge import gobridge as expose, run

_events = []
_lock = threading.Lock()
_produced = 0


def record(event):
    with _lock:
        _events.append(event)


@expose
def events() -> list:
    """What cancelled functions recorded (kept: tests filter by tag)."""
    with _lock:
        return list(_events)


# --- plain calls -------------------------------------------------------------

@expose
def add(a: int, b: int) -> int:
    """Adds two numbers."""
    return a + b


@expose
def scaled(value: float, *, factor: float = 1.0) -> float:
    return value * factor


@expose
def echo(x):
    return x


@expose
def type_name(x) -> str:
    return type(x).__name__


@expose
def get_user(uid: int) -> dict:
    return {"id": uid, "name": f"user_{uid}", "score": uid * 1.5}


@expose
def pid() -> int:
    return os.getpid()


@expose
def env(name: str):
    return os.environ.get(name)


@expose
def cwd() -> str:
    return os.getcwd()


@expose
def argv() -> list:
    return sys.argv[1:]


@expose
def script_name() -> str:
    return os.path.basename(__file__)


@expose
def fail(message: str):
    raise ValueError(message)


@expose
def wait(tag: str, seconds: float) -> str:
    """Sleeps; records '<tag> started' and, if cancelled, '<tag> cancelled'.

    Short sleeps: a call on a thread other than the main one is interrupted
    between two Python instructions, not inside time.sleep()."""
    deadline = time.monotonic() + seconds
    try:
        record(f"{tag} started")
        while time.monotonic() < deadline:
            time.sleep(min(0.01, max(0.0, deadline - time.monotonic())))
    except gobridge.Cancelled:
        record(f"{tag} cancelled")
        raise
    record(f"{tag} done")
    return tag


@expose
def steps(steps: list, pause: float) -> int:
    """Reports progress(*step) for each step, pausing after each."""
    for step in steps:
        gobridge.progress(*step)
        time.sleep(pause)
    return len(steps)


@expose
def log(level: int, message: str) -> None:
    """Logs message at level on the "qmlworker" logger."""
    import logging
    logging.getLogger("qmlworker").log(level, message)


@expose
def crash(code: int):
    os._exit(code)


# --- generators --------------------------------------------------------------

@expose
def range_gen(start: int, stop: int, *, step: int = 1) -> Iterator[int]:
    yield from range(start, stop, step)


@expose
def gen_users(count: int) -> Iterator[dict]:
    for i in range(1, count + 1):
        yield {"id": i, "name": f"user_{i}", "score": float(i * 3)}


@expose
def slow_users(count: int, delay: float) -> Iterator[dict]:
    for i in range(1, count + 1):
        yield {"id": i, "name": f"user_{i}", "score": float(i * 3)}
        time.sleep(delay)


@expose
def changing_keys() -> Iterator[dict]:
    """The first item fixes the roles: later keys are ignored or missing."""
    yield {"a": 1, "b": "one"}
    yield {"a": 2, "c": "ignored"}
    yield {"b": "three"}


@expose
def echo_dicts(items: list) -> Iterator[dict]:
    yield from items


@expose
def gen_then_raise(n: int) -> Iterator[int]:
    for i in range(n):
        yield i
    raise RuntimeError(f"boom after {n}")


@expose
def endless(tag: str, payload: int) -> Iterator[dict]:
    """Yields as fast as it may, forever; produced() counts the items."""
    global _produced
    with _lock:
        _produced = 0
    text = "x" * payload
    i = 0
    try:
        while True:
            with _lock:
                _produced += 1
            yield {"id": i, "payload": text}
            i += 1
    except GeneratorExit:
        record(f"{tag} closed")
        raise


@expose
def produced() -> int:
    with _lock:
        return _produced


# --- streams into Python -------------------------------------------------------

@expose
def sum_stream(numbers: Iterator[int]) -> int:
    return sum(numbers)


@expose
def scaled_sum(factor: int, numbers: Iterator[int], offset: int) -> int:
    return factor * sum(numbers) + offset


@expose
def collect(items: Iterator) -> list:
    return list(items)


@expose
def process_users(users: Iterator[dict]) -> Iterator[dict]:
    for u in users:
        yield {"id": u["id"], "name": u["name"].upper(), "score": u["score"] * 2}


run()
