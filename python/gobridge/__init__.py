"""gobridge: expose Python functions to a Qt application (QGobridge).

A worker script decorates the functions it offers and then serves them::

    from gobridge import gobridge, run
    from typing import Iterator

    @gobridge
    def add(a: int, b: int) -> int:
        return a + b

    @gobridge
    def range_gen(start: int, stop: int) -> Iterator[int]:
        yield from range(start, stop)

    run()

The Qt side (``QGbPool``) starts the script, connects to it over a private
Unix socket and calls the functions: a plain function answers with its
return value, a generator function streams what it yields, and an argument
the host passes as a channel arrives as an iterator. ``docs/protocol.md``
describes the wire protocol.

When the host cancels a call, the function gets :class:`Cancelled` (a
``BaseException``, see its documentation for how this differs from the
original gobridge).

A call reports how far it got with :func:`progress`; ``logging`` records
reach the application too (``run()`` installs the handler).

The package uses the standard library only and supports Python 3.9 and
later.
"""

from ._progress import CallHandle, current_call, progress
from ._registry import Cancelled, gobridge
from ._server import run
from ._version import __version__

Cancelled.__module__ = __name__   # reported as gobridge.Cancelled

__all__ = ["gobridge", "run", "Cancelled", "progress", "current_call",
           "CallHandle"]
