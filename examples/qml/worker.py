"""The worker of examples/qml: a call, a stream and an error, from QML."""
import time
from typing import Iterator

from gobridge import gobridge, run


@gobridge
def add(a: int, b: int) -> int:
    """Adds two numbers."""
    return a + b


@gobridge
def divide(a: float, b: float) -> float:
    """Divides a by b; raises ZeroDivisionError when b is 0."""
    return a / b


@gobridge
def gen_users(count: int, delay: float) -> Iterator[dict]:
    """Yields count users, one every delay seconds."""
    levels = ["bronze", "silver", "gold"]
    for i in range(1, count + 1):
        score = (i * 37) % 100
        yield {"id": i, "name": f"user_{i}", "score": score,
               "level": levels[min(score // 34, 2)]}
        time.sleep(delay)


run()
