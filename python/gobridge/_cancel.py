"""Interrupting a call: the worker's side of cancellation.

docs/protocol.md section 7 says where a cancel reaches a call and what the
host does when it does not (the grace period, then SIGTERM, then SIGKILL).
This module does the worker's part of that ladder:

* :class:`Interruptible`, the base of a call connection, tracks whether its
  thread runs user code (``state``) and which call is cancelled. A cancel
  from the control thread injects ``Cancelled`` only into user code: with
  ``PyThreadState_SetAsyncExc`` (:func:`set_async_exc`) on a call thread,
  with ``SIGUSR1`` on the main thread, whose handler raises it (and wakes
  ``time.sleep`` and most blocking I/O). Before the call thread does anything
  that must not be interrupted (socket I/O, finishing a call) it passes a
  *fence* that takes the connection lock, leaves the user state and clears an
  injected exception that has not fired yet. Code between entering the user
  state and the fence is written so that ``Cancelled`` may land anywhere in
  it;
* :class:`Poker` makes sure an interrupted thread notices its interruption;
* :func:`install_handlers` installs the handlers of SIGUSR1 (the step above)
  and of SIGTERM and SIGINT (the host's next step: the worker exits with
  status 0), and :func:`start_thread` keeps the worker's own threads from
  receiving those signals.
"""

import signal
import sys
import threading
import time
from typing import Any, Callable, Optional

from ._registry import Cancelled

FRAMEWORK = 0                # the call thread runs framework code
USER = 1                     # the call thread (may) run user code

MAIN_IDENT = threading.main_thread().ident

#: Signals the worker handles; only the main thread may receive them.
SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)

# The connection the main thread serves, for the SIGUSR1 handler.
_main_conn = None            # type: Optional[Interruptible]


def set_async_exc(tid: int, exc: Any) -> None:
    """Raise ``exc`` asynchronously in thread ``tid`` (None: clear it).

    ``ctypes`` is imported by :func:`install_handlers` before serving:
    importing it here, while a busy thread holds the GIL, would take a GIL
    handoff per file access (tens of milliseconds).
    """
    ctypes = sys.modules["ctypes"]
    func = ctypes.pythonapi.PyThreadState_SetAsyncExc
    if exc is None:
        func(ctypes.c_ulong(tid), None)
    else:
        func(ctypes.c_ulong(tid), ctypes.py_object(exc))


def start_thread(target: Any, name: str, *args: Any) -> None:
    """Start a daemon thread with the worker's signals blocked.

    Python runs signal handlers on the main thread only, but the kernel
    delivers a process signal to any thread that does not block it; one
    that lands on another thread would leave the main thread asleep in a
    blocking call. Threads inherit the mask, so the threads these threads
    start (connection threads) block the signals too.
    """
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        threading.Thread(target=target, name=name, args=args,
                         daemon=True).start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Interruptible:
    """The cancellation state of a call connection (its base class).

    The call thread writes ``state``, ``current``, ``injected`` and
    ``delivered`` without the lock (the GIL orders the plain writes); the
    control thread reads them under ``lock``, which the fence takes too.
    """

    __slots__ = ("lock", "state", "current", "done_id", "cancel_id",
                 "injected", "delivered", "tid", "on_main")

    def __init__(self) -> None:
        self.lock = threading.Lock()    # cancel bookkeeping and injection
        self.state = FRAMEWORK
        self.current = 0                # id of the running call, 0 if none
        self.done_id = 0                # highest call id finished
        self.cancel_id = 0              # highest call id to cancel
        self.injected = False           # Cancelled was injected in this call
        self.delivered = False          # the signal handler raised it
        self.tid = 0
        self.on_main = False

    def attach(self) -> None:
        """The calling thread serves this connection from now on."""
        global _main_conn
        self.tid = threading.get_ident()
        self.on_main = self.tid == MAIN_IDENT
        if self.on_main:
            _main_conn = self

    def detach(self) -> None:
        """The serving thread is done with this connection."""
        global _main_conn
        if self.on_main:
            _main_conn = None

    def request_cancel(self, cid: int) -> None:
        """Cancel call ``cid`` (control thread)."""
        with self.lock:
            if cid <= self.done_id:
                return                  # finished: the answer is out
            if cid > self.cancel_id:
                self.cancel_id = cid
            if cid != self.current or self.state != USER or self.injected:
                return                  # the call thread sees cancel_id
            self.injected = True
            if self.on_main:
                signal.pthread_kill(MAIN_IDENT, signal.SIGUSR1)
            else:
                set_async_exc(self.tid, Cancelled)
        _poker.watch(self, cid)

    def note_cancel(self, cid: int) -> None:
        """A cancel of call ``cid`` read on the call connection itself."""
        with self.lock:
            if cid > self.cancel_id:
                self.cancel_id = cid

    def needs_poke(self, cid: int) -> bool:
        """True while an interruption of call ``cid`` may be pending unseen."""
        return (self.current == cid and self.state == USER
                and not (self.on_main and self.delivered))

    def fence(self) -> None:
        """Leave user code: no injected Cancelled fires after this returns."""
        with self.lock:
            self.state = FRAMEWORK
            if self.injected and not self.on_main:
                set_async_exc(self.tid, None)

    def settle(self) -> None:
        """Fence, absorbing an injected Cancelled that fires meanwhile."""
        while True:
            try:
                self.fence()
                return
            except Cancelled:
                continue

    def resume(self, cid: int) -> None:
        """Go back to user code (after a fence) in call ``cid``.

        Raises Cancelled if the call was cancelled while fenced.
        """
        self.state = USER
        if self.cancel_id == cid:
            raise Cancelled()


class Poker:
    """Makes sure an interrupted call thread notices its interruption.

    Up to CPython 3.12 the flag that makes a running thread look at a pending
    asynchronous exception or signal is shared by the whole interpreter, and
    the first thread that looks clears it. With several busy threads one of
    them can miss its ``Cancelled`` for as long as nothing else sets the flag.
    While an interrupted call still runs user code, this thread sets the flag
    again every few milliseconds (``SetAsyncExc`` on its own thread with no
    exception: it only sets the flag) and re-sends ``SIGUSR1`` to the main
    thread; the signal handler raises at most once per call. It sleeps while
    no interruption is pending.
    """

    INTERVAL = 0.003

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._watched = {}  # type: dict
        self._started = False

    def watch(self, conn: Interruptible, cid: int) -> None:
        with self._cond:
            self._watched[conn] = cid
            if not self._started:
                self._started = True
                start_thread(self._run, "gobridge-poker")
            self._cond.notify()

    def _run(self) -> None:
        own = threading.get_ident()
        while True:
            with self._cond:
                while not self._watched:
                    self._cond.wait()
                watched = list(self._watched.items())
            time.sleep(self.INTERVAL)
            for conn, cid in watched:
                with conn.lock:
                    if not conn.needs_poke(cid):
                        with self._cond:
                            if self._watched.get(conn) == cid:
                                del self._watched[conn]
                        continue
                    if conn.on_main:
                        signal.pthread_kill(MAIN_IDENT, signal.SIGUSR1)
                    else:
                        set_async_exc(own, None)


_poker = Poker()


def _on_cancel_signal(signum: int, frame: Any) -> None:
    """SIGUSR1: raise Cancelled in a cancelled call on the main thread."""
    conn = _main_conn
    if (conn is not None and conn.state == USER and conn.current
            and conn.cancel_id == conn.current and not conn.delivered):
        conn.delivered = True
        raise Cancelled()


def install_handlers(terminate: Callable[[int, Any], None]) -> None:
    """Handle SIGUSR1 (cancel) and SIGTERM and SIGINT (``terminate``).

    Call it from the main thread before serving. It loads ``ctypes`` for
    :func:`set_async_exc` too.
    """
    import ctypes  # noqa: F401  (used by set_async_exc, see there)
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    signal.signal(signal.SIGUSR1, _on_cancel_signal)
