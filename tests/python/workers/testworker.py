"""General-purpose QGobridge test worker (Python unit tests and C++ tests).

Started by a QGbPool (or a test harness) with GOBRIDGE_SOCKET, GOBRIDGE_TOKEN
and GOBRIDGE_MAX_FRAME set. PYTHONPATH must contain the ``python/`` folder of
the source tree. Every function below is exposed with ``@gobridge``:

Plain calls
    add(a, b) -> a + b
    echo(x) -> x
    identity(items) -> items (e.g. a list of dicts)
    get_user(uid) -> {"id", "name", "score"}
    enrich_users(users) -> users with "level" added
    raise_value_error(msg)          raises ValueError(msg)
    raise_type_error_inside(x)      raises TypeError inside the body
    unjsonable() -> {1, 2}          a set: TypeMismatch
    big_int() -> 2**70              outside int64: TypeMismatch
    nan() -> float("nan")           TypeMismatch
    bad_nested() -> {"users": [{"score": 1.0}, {"score": inf}]}
    bytes_echo(b) -> b              bytes travel as attachments
    bytes_len(b) -> len(b)
    make_bytes(n) -> b"x" * n
    make_string(n) -> "x" * n
    pid() -> os.getpid()
    env_get(name) -> os.environ.get(name)
    on_main_thread() -> True if the call runs on the worker's main thread
    touch(path) -> creates the file at path (proves that a call ran)
    say(text) -> prints text to stdout, returns None
    renamed_fn(x) -> x + 1          exposed with @gobridge(name="renamed_fn")
    nest(depth) -> [[...[0]...]]    a list nested depth levels (0 -> 0)
    nest_maps(depth) -> {"$k": {"$k": ... 0}}  depth one-key "$" maps

Client streams (an argument arrives as an iterator)
    sum_stream(numbers: Iterator[int]) -> int
    read_forever(it: Iterator[int]) -> number of items read
    read_record(it, path) -> count; writes "Cancelled" to path if cancelled

Server streams (generators)
    range_gen(start, stop)          yields start .. stop-1
    gen_users(count)                yields count user dicts
    fast_gen(n)                     yields 0 .. n-1 as fast as possible
    gen_then_raise(n)               yields 0 .. n-1, then RuntimeError
    gen_bad_item()                  yields 1, 2, then a set (TypeMismatch)
    gen_bad_then_pause(seconds)     yields 1 and a set, then sleeps (the
                                    flusher meets the bad item)
    slow_gen(interval=0.05)         yields 0, 1, 2, ... forever, slowly
    gen_record_exit(path)           yields forever; records GeneratorExit or
                                    Cancelled in path
    burst_then_pause(n, seconds)    yields n items quickly, then sleeps
    busy_gen()                      yields 1, then loops forever
    nest_gen(depths)                yields nest(d) for each d in depths

Bidirectional
    process_users(users: Iterator[dict]) -> Iterator[dict]
    tally_gen(it)                   reads the input to its end, then yields
                                    how many items it read

Progress and logging
    count_progress(n, text=False)   reports progress(i, n) for i = 1 .. n
                                    (with "step i" as text), returns n
    progress_then_sleep(n, seconds) reports 1 .. n quickly, then sleeps
                                    (the last report waits for its turn)
    progress_gen(n)                 yields 0 .. n-1, reporting each
    progress_from_thread(n)         a thread the call starts reports 1 .. n
                                    through current_call()
    progress_steps(steps, pause)    progress(*step) for each step, pausing
                                    after each (pause > 40 ms: each goes out)
    progress_bad(kind)              progress() with a bad value: "str",
                                    "nan", "huge", "text"
    progress_outside() -> True      progress() in a thread without a call
    log_records(n, level, name="tw.calls")  logs n records, returns n
    log_exception()                 logs an exception with its traceback
    log_outside(text)               a thread without a call logs text
                                    (it goes out on the control connection)

Cancellation and crashes
    busy_loop(marker=None)          touches marker, then loops forever
    busy_loop_swallow(marker=None)  loops forever inside
                                    ``try: ... except Exception: pass``
    sleep(seconds, marker=None)     touches marker, then time.sleep(seconds)
    ignore_cancel(marker=None)      touches marker, then loops forever
                                    catching Cancelled (never ends)
    crash()                         os._exit(3) during the call
    crash_after(seconds)            sleeps, then os._exit(3)
    gen_then_crash(n)               yields n items, pauses 0.1 s (the
                                    worker sends the items), os._exit(3)
"""

import logging
import os
import sys
import threading
import time
from typing import Iterator, List, Optional

from gobridge import Cancelled, current_call, gobridge, progress, run


def _touch(path: Optional[str]) -> None:
    if path:
        with open(path, "w") as marker:
            marker.write("started")


# -- plain calls -----------------------------------------------------------

@gobridge
def add(a: int, b: int) -> int:
    """Return a + b."""
    return a + b


@gobridge
def echo(x):
    """Return the argument unchanged."""
    return x


@gobridge
def identity(items: List[dict]) -> List[dict]:
    """Return the list unchanged."""
    return items


@gobridge
def get_user(uid: int) -> dict:
    return {"id": uid, "name": f"user_{uid}", "score": uid * 1.5}


@gobridge
def enrich_users(users: list) -> list:
    for u in users:
        u["level"] = "gold" if u["score"] >= 10 else "silver"
    return users


@gobridge
def raise_value_error(msg: str) -> None:
    raise ValueError(msg)


@gobridge
def raise_type_error_inside(x: int) -> int:
    return x + "text"


@gobridge
def unjsonable():
    return {1, 2}


@gobridge
def big_int() -> int:
    return 2 ** 70


@gobridge
def nan() -> float:
    return float("nan")


@gobridge
def bad_nested() -> dict:
    return {"users": [{"score": 1.0}, {"score": float("inf")}]}


@gobridge
def bytes_echo(b: bytes) -> bytes:
    return b


@gobridge
def bytes_len(b: bytes) -> int:
    return len(b)


@gobridge
def make_bytes(n: int) -> bytes:
    return b"x" * n


@gobridge
def make_string(n: int) -> str:
    return "x" * n


@gobridge
def pid() -> int:
    return os.getpid()


@gobridge
def env_get(name: str) -> Optional[str]:
    return os.environ.get(name)


@gobridge
def on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@gobridge
def touch(path: str) -> None:
    _touch(path)


@gobridge
def say(text: str) -> None:
    print(text)


@gobridge(name="renamed_fn")
def renamed(x: int) -> int:
    return x + 1


@gobridge
def nest(depth: int) -> object:
    value = 0
    for _ in range(depth):
        value = [value]
    return value


@gobridge
def nest_maps(depth: int) -> object:
    value = 0
    for _ in range(depth):
        value = {"$k": value}
    return value


# -- client streams --------------------------------------------------------

@gobridge
def sum_stream(numbers: Iterator[int]) -> int:
    return sum(numbers)


@gobridge
def read_forever(it: Iterator[int]) -> int:
    count = 0
    for _ in it:
        count += 1
    return count


@gobridge
def read_record(it: Iterator[int], path: str) -> int:
    count = 0
    try:
        for _ in it:
            count += 1
    except Cancelled:
        with open(path, "w") as record:
            record.write("Cancelled")
        raise
    return count


# -- server streams --------------------------------------------------------

@gobridge
def range_gen(start: int, stop: int) -> Iterator[int]:
    for i in range(start, stop):
        yield i


@gobridge
def gen_users(count: int) -> Iterator[dict]:
    for i in range(1, count + 1):
        yield {"id": i, "name": f"user_{i}", "score": float(i * 3)}


@gobridge
def fast_gen(n: int) -> Iterator[int]:
    yield from range(n)


@gobridge
def gen_then_raise(n: int) -> Iterator[int]:
    for i in range(n):
        yield i
    raise RuntimeError(f"boom after {n}")


@gobridge
def gen_bad_item() -> Iterator[object]:
    yield 1
    yield 2
    yield {1, 2}


@gobridge
def gen_bad_then_pause(seconds: float) -> Iterator[object]:
    yield 1
    yield {1, 2}
    time.sleep(seconds)
    yield 3


@gobridge
def slow_gen(interval: float = 0.05) -> Iterator[int]:
    i = 0
    while True:
        yield i
        i += 1
        time.sleep(interval)


@gobridge
def gen_record_exit(path: str) -> Iterator[int]:
    i = 0
    try:
        while True:
            yield i
            i += 1
    except GeneratorExit:
        with open(path, "w") as record:
            record.write("GeneratorExit")
        raise
    except Cancelled:
        with open(path, "w") as record:
            record.write("Cancelled")
        raise


@gobridge
def burst_then_pause(n: int, seconds: float) -> Iterator[int]:
    for i in range(n):
        yield i
    time.sleep(seconds)
    yield n


@gobridge
def busy_gen() -> Iterator[int]:
    yield 1
    while True:
        pass


@gobridge
def nest_gen(depths: List[int]) -> Iterator[object]:
    for depth in depths:
        yield nest(depth)


# -- bidirectional ---------------------------------------------------------

@gobridge
def process_users(users: Iterator[dict]) -> Iterator[dict]:
    for u in users:
        yield {"id": u["id"], "name": u["name"].upper(),
               "score": u["score"] * 2}


@gobridge
def tally_gen(it: Iterator[object]) -> Iterator[int]:
    yield sum(1 for _ in it)


# -- cancellation and crashes ----------------------------------------------

@gobridge
def busy_loop(marker: Optional[str] = None) -> None:
    _touch(marker)
    while True:
        pass


@gobridge
def busy_loop_swallow(marker: Optional[str] = None) -> None:
    _touch(marker)
    total = 0
    while True:
        try:
            total += 1
            if total % 1000 == 0:
                total = 0
        except Exception:
            pass


@gobridge
def ignore_cancel(marker: Optional[str] = None) -> None:
    _touch(marker)
    while True:
        try:
            time.sleep(0.01)
        except Cancelled:
            pass


@gobridge
def sleep(seconds: float, marker: Optional[str] = None) -> float:
    _touch(marker)
    time.sleep(seconds)
    return seconds


@gobridge
def crash() -> None:
    sys.stdout.flush()
    os._exit(3)


@gobridge
def crash_after(seconds: float) -> None:
    time.sleep(seconds)
    os._exit(3)


@gobridge
def gen_then_crash(n: int) -> Iterator[int]:
    for i in range(n):
        yield i
    time.sleep(0.1)
    os._exit(3)


@gobridge
def count_progress(n: int, text: bool = False) -> int:
    for i in range(1, n + 1):
        progress(i, n, "step %d" % i if text else None)
    return n


@gobridge
def progress_then_sleep(n: int, seconds: float) -> str:
    for i in range(1, n + 1):
        progress(i, n)
    time.sleep(seconds)
    return "slept"


@gobridge
def progress_gen(n: int) -> Iterator[int]:
    for i in range(n):
        progress(i + 1, n)
        yield i


@gobridge
def progress_from_thread(n: int) -> int:
    handle = current_call()

    def report() -> None:
        for i in range(1, n + 1):
            handle.progress(i, n, "thread")

    thread = threading.Thread(target=report)
    thread.start()
    thread.join()
    return n


@gobridge
def progress_steps(steps: list, pause: float) -> int:
    for step in steps:
        progress(*step)
        time.sleep(pause)
    return len(steps)


@gobridge
def progress_bad(kind: str) -> None:
    if kind == "str":
        progress("1")
    elif kind == "nan":
        progress(float("nan"), 10)
    elif kind == "huge":
        progress(1 << 70)
    elif kind == "text":
        progress(1, 2, 3)


@gobridge
def progress_outside() -> bool:
    out = []
    thread = threading.Thread(target=lambda: out.append(progress(1, 2)))
    thread.start()
    thread.join()
    return out == [None] and current_call() is not None


@gobridge
def log_records(n: int, level: int, name: str = "tw.calls") -> int:
    logger = logging.getLogger(name)
    for i in range(n):
        logger.log(level, "record %d of %s", i, n)
    return n


@gobridge
def log_exception() -> None:
    try:
        1 / 0
    except ZeroDivisionError:
        logging.getLogger("tw.errors").exception("it failed")


@gobridge
def log_outside(text: str) -> None:
    thread = threading.Thread(
        target=lambda: logging.getLogger("tw.outside").warning(text),
        name="outside")
    thread.start()
    thread.join()


if __name__ == "__main__":
    run()
