"""Worker used by tst_qgbpool: the original gobridge examples plus functions
that fail, stall, crash or record what happened to them.

Environment switches:
  GB_CRASH_ON_START=1   exit with status 5 before serving (tests restart backoff)
  GB_PRINT_ON_START=msg print msg on stdout and stderr before serving
  GB_BROKEN_DESCRIBE=1  answering describe raises (the connection breaks)
"""
import os
import sys
import threading
import time
from typing import Iterator

import gobridge
from gobridge import gobridge as expose, run

if os.environ.get("GB_CRASH_ON_START") == "1":
    sys.stderr.write("poolworker: crashing on start as asked\n")
    sys.stderr.flush()
    os._exit(5)

if os.environ.get("GB_BROKEN_DESCRIBE") == "1":
    import gobridge._connection

    def _broken_describe():
        raise RuntimeError("poolworker: describe is broken as asked")

    gobridge._connection.describe_all = _broken_describe

if os.environ.get("GB_PRINT_ON_START"):
    print(os.environ["GB_PRINT_ON_START"])
    print(os.environ["GB_PRINT_ON_START"], file=sys.stderr)

_events = []
_events_lock = threading.Lock()


def record(event):
    """Remembers event for events() and announces it on stderr, where the
    tests wait for it through QGbPool::workerOutput."""
    with _events_lock:
        _events.append(event)
    sys.stderr.write(f"event: {event}\n")
    sys.stderr.flush()


def on_main_thread():
    return threading.current_thread() is threading.main_thread()


@expose
def events():
    """Returns and clears what cancelled functions recorded."""
    with _events_lock:
        out = list(_events)
        _events.clear()
    return out


# --- the original README's functions -------------------------------------

@expose
def add(a: int, b: int) -> int:
    return a + b


@expose
def scaled(value: float, *, factor: float = 1.0, offset: float = 0.0) -> float:
    """Keyword-only parameters: reached only with keyword arguments."""
    return value * factor + offset


@expose
def scaled_range(n: int, *, step: int = 1) -> Iterator[int]:
    for i in range(n):
        yield i * step


@expose
def keywords(**kwargs):
    """The keyword arguments it got, as a sorted list of [name, value]."""
    return sorted([name, value] for name, value in kwargs.items())


@expose
def get_user(uid: int) -> dict:
    return {"id": uid, "name": f"user_{uid}", "score": uid * 1.5}


@expose
def enrich_users(users: list) -> list:
    for u in users:
        u["level"] = "gold" if u["score"] >= 10 else "silver"
    return users


@expose
def range_gen(start: int, stop: int) -> Iterator[int]:
    for i in range(start, stop):
        yield i


@expose
def gen_users(count: int) -> Iterator[dict]:
    for i in range(1, count + 1):
        yield {"id": i, "name": f"user_{i}", "score": float(i * 3)}


@expose
def sum_stream(numbers: Iterator[int]) -> int:
    return sum(numbers)


@expose
def process_users(users: Iterator[dict]) -> Iterator[dict]:
    for u in users:
        yield {"id": u["id"], "name": u["name"].upper(), "score": u["score"] * 2}


# --- plain values ---------------------------------------------------------

@expose
def echo(x):
    return x


@expose
def type_name(x):
    return type(x).__name__


@expose
def echo_stream(items: Iterator) -> Iterator:
    for item in items:
        yield item


@expose
def collect(items: Iterator) -> list:
    return list(items)


@expose
def pid() -> int:
    return os.getpid()


@expose
def nest(levels: int):
    """A value nested levels lists deep around the integer 1."""
    value = 1
    for _ in range(levels):
        value = [value]
    return value


_barriers = {}
_barriers_lock = threading.Lock()


@expose
def meet(name: str, parties: int, timeout: float) -> bool:
    """Returns once parties calls of this name are running at the same time;
    raises threading.BrokenBarrierError if they are not within timeout."""
    with _barriers_lock:
        barrier = _barriers.setdefault(name, threading.Barrier(parties))
    barrier.wait(timeout)
    return True


@expose
def lone_surrogate() -> str:
    return "a\ud800"


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
def bytes_len(b: bytes) -> int:
    return len(b)


@expose
def make_bytes(n: int) -> bytes:
    return bytes(i % 251 for i in range(n))


@expose
def big_string(n: int) -> str:
    return "x" * n


@expose(name="renamed_add")
def _hidden_add(a, b):
    return a + b


@expose
def slow_add(a: int, b: int, seconds: float) -> int:
    time.sleep(seconds)
    return a + b


@expose
def print_lines(n: int) -> int:
    for i in range(n):
        print(f"out line {i}")
        print(f"err line {i}", file=sys.stderr)
    return n


@expose
def partial_line() -> None:
    sys.stdout.write("no newline yet")
    sys.stdout.flush()


# --- failures -------------------------------------------------------------

@expose
def raise_value_error(msg: str):
    raise ValueError(msg)


@expose
def gen_then_raise(n: int) -> Iterator[int]:
    for i in range(n):
        yield i
    raise RuntimeError(f"boom after {n}")


@expose
def unjsonable():
    return {"ok": [1, 2, {3, 4}]}


@expose
def big_int():
    return [1, 2**70]


@expose
def nan():
    return {"value": float("nan")}


@expose
def crash():
    os._exit(3)


@expose
def crash_mid_stream(n: int) -> Iterator[int]:
    for i in range(n):
        yield i
    time.sleep(0.2)
    os._exit(4)


# --- things to cancel -----------------------------------------------------

@expose
def busy_loop():
    # "started" inside the try: the host cancels as soon as it reads the
    # line, and the Cancelled may land before record() has returned.
    try:
        record(f"busy_loop started main={on_main_thread()}")
        while True:
            pass
    except gobridge.Cancelled:
        record(f"busy_loop cancelled main={on_main_thread()}")
        raise


@expose
def busy_loop_swallow():
    n = 0
    try:
        record(f"busy_loop_swallow started main={on_main_thread()}")
        while True:
            try:
                n += 1
            except Exception:
                pass
    except gobridge.Cancelled:
        record(f"busy_loop_swallow cancelled main={on_main_thread()}")
        raise


@expose
def sleep(seconds: float):
    try:
        record(f"sleep started main={on_main_thread()}")
        time.sleep(seconds)
    except gobridge.Cancelled:
        record("sleep cancelled")
        raise
    return seconds


@expose
def slow_gen() -> Iterator[int]:
    i = 0
    try:
        while True:
            yield i
            i += 1
            time.sleep(0.01)
    except GeneratorExit:
        record("slow_gen closed")
        raise
    except gobridge.Cancelled:
        record("slow_gen cancelled")
        raise


@expose
def read_forever(items: Iterator[int]) -> int:
    count = 0
    record("read_forever started")
    try:
        for _ in items:
            count += 1
    except gobridge.Cancelled:
        record(f"read_forever cancelled after {count}")
        raise
    return count


@expose
def fast_gen(n: int) -> Iterator[int]:
    yield from range(n)


@expose
def regex_bomb(n: int) -> bool:
    """Catastrophic backtracking: runs in C, holding the GIL, for a very long time."""
    import re
    record("regex_bomb started")
    return re.match(r"(a+)+$", "a" * n + "b") is not None


@expose
def bytes_gen(count: int, size: int) -> Iterator[bytes]:
    """Yields count blocks of size bytes, as fast as it can."""
    block = b"x" * size
    for _ in range(count):
        yield block


@expose
def take_one_then_spin(numbers: Iterator[int]) -> int:
    """Takes one input item, then spins until cancelled: the host's channel
    fills up once the input credit is spent."""
    first = next(numbers)
    while True:
        first += 0


@expose
def sum_slow(numbers: Iterator[int], delay: float) -> int:
    """Sums an input stream slowly: one item per delay seconds."""
    total = 0
    for n in numbers:
        total += n
        time.sleep(delay)
    return total


run()
