"""Worker whose functions show every kind of parameter ``describe`` reports.

Used by tests/python/test_describe.py and by the C++ discovery test
(tests/auto/core/discovery). PYTHONPATH must contain the ``python/`` folder
of the source tree, or the pool sets it.

    add(a: int, b: int) -> int              two positional parameters
    scale(x: float, factor: float = 2.0)    a default
    total(first: int, *rest: int) -> int    *args
    greet(name, /, *, greeting="Hello")     positional-only, keyword-only
    options(**kw) -> dict                   **kwargs only
    count_up(n: int) -> Iterator[int]       server stream (a generator)
    sum_all(numbers: Iterator[int]) -> int  client stream
    doubled(items: "Iterable[int]") -> Iterator[int]
                                            bidirectional (a string
                                            annotation)
    traced(a: int, b: int = 1) -> int       decorated with functools.wraps
    opaque(*args, **kwargs)                 decorated without functools.wraps
    biggest                                 the builtin max(): no signature
    plus_one(x: int) -> int                 a callable object; with
                                            GB_CRASH_ON_DESCRIBE=path set and
                                            no file at path, reading its
                                            docstring (describe) creates the
                                            file and kills the worker
"""

import functools
import os
from typing import Iterable, Iterator, Optional

from gobridge import gobridge, run


@gobridge
def add(a: int, b: int) -> int:
    """Return a + b."""
    return a + b


@gobridge
def scale(x: float, factor: float = 2.0) -> float:
    return x * factor


@gobridge
def total(first: int, *rest: int) -> int:
    """Add one or more numbers."""
    return first + sum(rest)


@gobridge
def greet(name: str, /, *, greeting: Optional[str] = "Hello") -> str:
    return "%s, %s" % (greeting, name)


@gobridge
def options(**kw: int) -> dict:
    return kw


@gobridge
def place(x: int, *, at: int) -> list:
    return [x, at]


@gobridge
def count_up(n: int) -> Iterator[int]:
    yield from range(n)


@gobridge
def sum_all(numbers: Iterator[int]) -> int:
    return sum(numbers)


@gobridge
def doubled(items: "Iterable[int]") -> Iterator[int]:
    for item in items:
        yield 2 * item


def _traced(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def _opaque(fn):
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@gobridge
@_traced
def traced(a: int, b: int = 1) -> int:
    """Traced addition."""
    return a + b


@gobridge(name="opaque")
@_opaque
def _opaque_add(a: int, b: int) -> int:
    return a + b


gobridge(name="biggest")(max)


class _PlusOne:

    def __call__(self, x: int) -> int:
        return x + 1

    @property
    def __doc__(self):
        marker = os.environ.get("GB_CRASH_ON_DESCRIBE")
        if marker and not os.path.exists(marker):
            with open(marker, "w"):
                pass
            os._exit(3)
        return "Add one."


gobridge(name="plus_one")(_PlusOne())


if __name__ == "__main__":
    run()
