"""Progress reports of a running call: ``gobridge.progress()``.

A call reports how far it got with ``progress(done, total, text)``. The
reports go to the host in ``progress`` messages on the call's connection
(docs/protocol.md section 5), at most one every INTERVAL seconds per call:
a report that comes sooner waits in the connection's ``prog_box`` and
replaces the one waiting there. The last report always goes out: the
flusher thread writes a waiting report when its turn comes, and the call's
terminal message writes it first (``CallConnection.end_locked``). So a
tight loop that reports every item costs a clock read, a few checks and a
dict store per report, and the host sees at most 1/INTERVAL reports a
second, the last one included.
"""

import heapq
import itertools
import math
import threading
import time
from typing import Any, Optional

from ._cancel import start_thread
from ._connection import CallConnection, serving
from ._messages import encode_progress
from ._wire import ConnectionAbort, INT64_MAX, INT64_MIN

#: Shortest time between two progress messages of one call (seconds). Qt
#: delivers a QFuture's progress at most 25 times a second, too.
INTERVAL = 0.04
_RETRY = 0.005        # the connection was busy writing: try again after this

_clock = time.monotonic


def _check_number(name: str, value: Any) -> None:
    kind = type(value)
    if kind is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError("gobridge.progress(): %s %d is outside the "
                             "signed 64-bit range" % (name, value))
    elif kind is float:
        if not math.isfinite(value):
            raise ValueError("gobridge.progress(): %s must be a finite "
                             "number, not %r" % (name, value))
    else:
        raise TypeError("gobridge.progress(): %s must be an int or a float, "
                        "not %s" % (name, kind.__name__))


def _check(done: Any, total: Any, text: Any) -> None:
    _check_number("done", done)
    if total is not None:
        _check_number("total", total)
    if text is not None and type(text) is not str:
        raise TypeError("gobridge.progress(): text must be a str or None, "
                        "not %s" % type(text).__name__)


def _report(conn: CallConnection, cid: int, own_thread: bool, done: Any,
            total: Any, text: Any) -> None:
    _check(done, total, text)
    now = _clock()
    if conn.prog_cid != cid or now - conn.prog_t >= INTERVAL:
        payload = encode_progress(cid, done, total, text)
        if own_thread:
            sent = conn.write_in_call(cid, payload, now, INTERVAL)
        else:
            try:
                sent = conn.write_if_running(cid, payload, now, INTERVAL)
            except ConnectionAbort:
                return      # the call thread sees it and ends the call
        if sent is not None:
            return          # written, or the call ended
    # Too soon after the last report: wait for the flusher (or the call's
    # end), replacing the report that waited.
    conn.prog_box[0] = (done, total, text)
    if conn.prog_armed != cid:
        conn.prog_armed = cid
        _flusher.arm(conn, cid, conn.prog_t + INTERVAL)


def progress(done: float, total: Optional[float] = None,
             text: Optional[str] = None) -> None:
    """Report the progress of the call this thread runs.

    ``done`` is how much is done, ``total`` how much there is to do (None
    when not known) and ``text`` says what happens now; the numbers are
    ints or floats, in any unit. On the Qt side the report reaches the
    call's ``QFuture`` (progress range, value and text), ``QGbCall``'s
    ``progressChanged()`` signal and ``GbReply.progress`` in QML.

    Call it as often as you like: at most one report every 40 ms goes to
    the host and the last one always does, before the call's result. Outside
    a call (in a thread that does not run one) it does nothing; to report
    from another thread, pass it the handle :func:`current_call` returns.
    Raises TypeError or ValueError for values it cannot send, and
    ``Cancelled`` when the call was cancelled meanwhile.
    """
    conn = serving()
    if conn is None:
        return
    cid = conn.current
    if cid:
        _report(conn, cid, True, done, total, text)


class CallHandle:
    """The call a thread runs, for other threads: see :func:`current_call`."""

    __slots__ = ("_conn", "_cid")

    def __init__(self, conn: CallConnection, cid: int) -> None:
        self._conn = conn
        self._cid = cid

    def __repr__(self) -> str:
        return "<gobridge call %d>" % self._cid

    @property
    def running(self) -> bool:
        """True while the call runs."""
        return self._conn.current == self._cid

    def progress(self, done: float, total: Optional[float] = None,
                 text: Optional[str] = None) -> None:
        """Like :func:`progress`, from any thread; does nothing once the
        call ended."""
        conn = self._conn
        cid = self._cid
        if conn.current == cid:
            _report(conn, cid, serving() is conn, done, total, text)


def current_call() -> Optional[CallHandle]:
    """A handle on the call this thread runs (None outside a call).

    Hand it to the threads the call starts, so that they can report
    progress with ``handle.progress(...)``.
    """
    conn = serving()
    if conn is None:
        return None
    cid = conn.current
    return CallHandle(conn, cid) if cid else None


class _Flusher:
    """One thread that writes the progress reports whose turn came."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._heap = []   # (deadline, seq, conn, cid)
        self._seq = itertools.count()
        self._started = False

    def arm(self, conn: CallConnection, cid: int, deadline: float) -> None:
        with self._lock:
            heapq.heappush(self._heap, (deadline, next(self._seq), conn, cid))
            if not self._started:
                self._started = True
                start_thread(self._run, "gobridge-progress")
            self._wake.notify()

    def _run(self) -> None:
        heap = self._heap
        while True:
            with self._lock:
                while not heap or heap[0][0] > _clock():
                    self._wake.wait(heap[0][0] - _clock() if heap else None)
                _, _, conn, cid = heapq.heappop(heap)
            again = conn.flush_progress(cid, _clock(), INTERVAL, _RETRY)
            if again:
                with self._lock:
                    heapq.heappush(heap, (again, next(self._seq), conn, cid))


_flusher = _Flusher()
