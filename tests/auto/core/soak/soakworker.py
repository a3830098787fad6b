"""Worker of tst_qgbsoak: one function per call mode. Every result is derived
from a token that is unique per call, so a value delivered to the wrong call,
twice, or out of order is detected by the test.
"""
import os
import time
from typing import Iterator

from gobridge import gobridge, run


def _work(pause_ms: int) -> None:
    """A little CPU work and a little sleep, so calls overlap and kills land mid-call."""
    n = 0
    for i in range(200):
        n += i
    if pause_ms > 0:
        time.sleep(pause_ms / 1000.0)


@gobridge
def soak_echo(token: str, pause_ms: int) -> str:
    """Plain call."""
    _work(pause_ms)
    return "echo:" + token


@gobridge
def soak_gen(token: str, count: int, pause_ms: int) -> Iterator[str]:
    """Server stream: count items, each naming the token and its index."""
    for i in range(count):
        if pause_ms > 0 and i % 8 == 7:
            time.sleep(pause_ms / 1000.0)
        yield f"{token}:{i}"


@gobridge
def soak_sum(token: str, numbers: Iterator[int]) -> str:
    """Client stream: the token, how many numbers came and their sum."""
    count = 0
    total = 0
    for x in numbers:
        count += 1
        total += x
    return f"{token}:{count}:{total}"


@gobridge
def soak_bidi(token: str, numbers: Iterator[int]) -> Iterator[str]:
    """Bidirectional stream: one item per number, in order."""
    for x in numbers:
        yield f"{token}:{3 * x + 1}"


@gobridge
def soak_gen_then_fail(count: int, fail: bool) -> Iterator[dict]:
    """Yields count items, then fails if asked: the stream's QFuture holds
    items when it fails."""
    for i in range(count):
        yield {"value": f"item {i}"}
    if fail:
        raise RuntimeError(f"failed after {count} items")


@gobridge
def soak_die_on_input(numbers: Iterator[int]) -> int:
    """Dies as soon as it starts: right after the worker granted the host
    input credit, so the host sends the input to a dead peer."""
    os._exit(7)


run()
