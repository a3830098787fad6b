"""Worker for the inspector's Launch panel (tests/auto/inspector/launch) and
its picture (scripts/screenshot-launch.sh): one function of each kind.

    greet(name: str, punctuation: str = "!") -> str   a plain call
    count(n: int) -> Iterator[int]                  server stream: 0 .. n-1
    total(numbers: Iterator[int]) -> int            client stream: the sum
    doubled(items: Iterator[int]) -> Iterator[int]  bidirectional: 2 * item
    parse_record(text: str, *, sep: str = ";") -> dict
                                                    raises ValueError
    slow(seconds: float = 60.0) -> str              sleeps (to cancel)
"""

import time
from typing import Iterator

from gobridge import gobridge, run


@gobridge
def greet(name: str, punctuation: str = "!") -> str:
    """Return a greeting for name."""
    return "Hello, %s%s" % (name, punctuation)


@gobridge
def count(n: int) -> Iterator[int]:
    """Yield the numbers 0 to n - 1."""
    yield from range(n)


@gobridge
def total(numbers: Iterator[int]) -> int:
    """Add the numbers of the input stream."""
    return sum(numbers)


@gobridge
def doubled(items: Iterator[int]) -> Iterator[int]:
    """Yield each input item times two."""
    for item in items:
        yield 2 * item


def _field(text: str, name: str, sep: str) -> str:
    for part in text.split(sep):
        key, _, value = part.partition("=")
        if key.strip() == name:
            return value.strip()
    raise ValueError("record %r has no field %r" % (text, name))


@gobridge
def parse_record(text: str, *, sep: str = ";") -> dict:
    """Parse "id=1; name=Ada" into a dict (raises ValueError without an id).

    sep is what separates the fields."""
    return {"id": int(_field(text, "id", sep)), "name": _field(text, "name", sep)}


@gobridge
def slow(seconds: float = 60.0) -> str:
    """Sleep for seconds, then return "done"."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.05)
    return "done"


if __name__ == "__main__":
    run()
