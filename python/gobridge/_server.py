"""The worker side of QGobridge: sockets, calls, streams and cancellation.

Threads of a worker process:

* the **main thread** serves one call connection at a time: the first call
  connection that arrives while it is idle. Only the main thread can be
  woken from ``time.sleep`` and similar by a signal, so a worker that serves
  a single connection can interrupt any Python code on cancel;
* one thread per further call connection. Each one reads its own socket and
  runs the functions itself: there is no reader thread and no queue between
  receiving a call and running it;
* one thread per control connection. It waits for ``cancel`` and ``ping``;
  a ``cancel`` interrupts the call where it runs;
* the accept thread, which authenticates new connections on short-lived
  handshake threads;
* one flusher thread, which sends stream items that a generator produced
  quickly before a long pause (it only wakes while such items wait).

Cancellation follows DESIGN section 3. A call connection tracks whether its
thread runs user code (``state``). The control thread injects ``Cancelled``
only into user code: with ``PyThreadState_SetAsyncExc`` on a call thread,
with ``SIGUSR1`` on the main thread. Before the call thread does anything
that must not be interrupted (socket I/O, finishing a call) it passes a
*fence* that takes the connection lock, leaves the user state and clears an
injected exception that has not fired yet. Code between entering the user
state and the fence is written so that ``Cancelled`` may land anywhere in it.
"""

import collections
import itertools
import os
import queue
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from typing import Any, List, Optional

from . import _wire
from ._messages import (
    decode_call, decode_cancel, decode_chunk, decode_credit, decode_describe,
    decode_end, decode_hello, decode_ping, encode_credit, encode_end,
    encode_error, encode_hello, encode_pong, encode_result, encode_chunk)
from ._registry import Cancelled, Function, describe_all
from ._registry import _registry   # lookups by name only, never getattr
from ._wire import (
    BAD_ARGUMENTS, CANCELLED, FRAME_TOO_LARGE, PROTOCOL_ERROR,
    REMOTE_EXCEPTION, STREAM, TYPE_MISMATCH, UNAUTHORIZED, UNKNOWN_METHOD,
    CallFailed, ConnectionAbort, ConnectionLost, ProtocolViolation,
    Unauthorized)

INPUT_WINDOW = 1024          # input credit the worker grants
_INPUT_REPLENISH = INPUT_WINDOW // 2
BATCH_MAX_ITEMS = 256        # most items in one chunk message
BATCH_TARGET_BYTES = 65536   # chunk size the batching aims at
_SLOW_NEXT = 0.0002          # a next() slower than this flushes at once
_MAX_AGE = 0.001             # oldest an unsent item gets at a yield point
_FLUSHER_MIN_SLEEP = 0.0002

_FRAMEWORK = 0               # call thread runs framework code
_USER = 1                    # call thread (may) run user code

_CALL_TRAFFIC = frozenset(("chunk", "end", "credit", "cancel"))
_main_ident = threading.main_thread().ident

_server = None               # type: Optional[_Server]


def _set_async_exc(tid: int, exc: Any) -> None:
    """Raise ``exc`` asynchronously in thread ``tid`` (None: clear it).

    ``ctypes`` is imported by ``run()`` before serving: importing it here,
    while a busy thread holds the GIL, would take a GIL handoff per file
    access (tens of milliseconds).
    """
    ctypes = sys.modules["ctypes"]
    func = ctypes.pythonapi.PyThreadState_SetAsyncExc
    if exc is None:
        func(ctypes.c_ulong(tid), None)
    else:
        func(ctypes.c_ulong(tid), ctypes.py_object(exc))


#: Signals the worker handles; only the main thread may receive them.
_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)


def _start_thread(target: Any, name: str, *args: Any) -> None:
    """Start a daemon thread with the worker's signals blocked.

    Python runs signal handlers on the main thread only, but the kernel
    delivers a process signal to any thread that does not block it; one
    that lands on another thread would leave the main thread asleep in a
    blocking call. Threads inherit the mask, so the threads these threads
    start (connection threads) block the signals too.
    """
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        threading.Thread(target=target, name=name, args=args,
                         daemon=True).start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _format_traceback(exc: BaseException) -> str:
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_globals.get("__name__") == __name__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return "<unprintable %s>" % _wire.type_name(exc)


class _Output:
    """Output side of a streaming call: batch, credit and flusher handoff.

    ``batch`` belongs to the call thread. While the call thread runs the
    generator it publishes a non-empty batch in ``box``; whoever pops it from
    there (the call thread afterwards, or the flusher meanwhile) owns it.
    All writes happen under the connection's ``wlock``, and the flusher pops
    only while holding it, which keeps the items in order.
    """

    __slots__ = ("conn", "cid", "box", "batch", "credit", "sent", "first_t",
                 "cap", "armed", "done", "failed")

    def __init__(self, conn: "_CallConnection", cid: int, window: int) -> None:
        self.conn = conn
        self.cid = cid
        self.box = {}             # {0: batch} while published to the flusher
        self.batch = []           # type: List[Any]
        self.credit = window      # items the host allows in total
        self.sent = 0             # items written (under wlock)
        self.first_t = 0.0        # time the batch's first item was added
        self.cap = BATCH_MAX_ITEMS
        self.armed = False        # the flusher watches this output
        self.done = False         # the terminal message was written
        self.failed = None        # a batch the flusher could not encode

    def resync(self) -> None:
        """Take the batch back after (or inside) the generator's next()."""
        if self.batch and self.box.pop(0, None) is None:
            self.batch = []       # the flusher took it and sends it


class _Flusher:
    """Sends items a generator yielded quickly before pausing (one thread).

    A call thread arms it (``queue.put``, a single C call, safe against an
    injected exception) when it calls the generator with items waiting. The
    thread then checks the armed outputs every millisecond at most and stops
    watching an output whose box is empty.
    """

    def __init__(self) -> None:
        self._queue = queue.SimpleQueue()
        self._encoder = _wire.Encoder()
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            _start_thread(self._run, "gobridge-flusher")

    def arm(self, out: _Output) -> None:
        out.armed = True
        self._queue.put(out)

    def _run(self) -> None:
        watched = set()
        clock = time.perf_counter
        while True:
            if not watched:
                watched.add(self._queue.get())
            while True:
                try:
                    watched.add(self._queue.get_nowait())
                except queue.Empty:
                    break
            now = clock()
            wait = _MAX_AGE
            for out in list(watched):
                if out.done:
                    watched.discard(out)
                    continue
                if not out.box:
                    out.armed = False
                    if not out.box:     # re-check: the call thread may arm
                        watched.discard(out)
                        continue
                    out.armed = True
                age = now - out.first_t
                if age >= _MAX_AGE:
                    self._flush(out)
                else:
                    wait = min(wait, _MAX_AGE - age)
            if watched:
                time.sleep(max(wait, _FLUSHER_MIN_SLEEP))

    def _flush(self, out: _Output) -> None:
        conn = out.conn
        if not conn.wlock.acquire(False):
            return          # the call thread is writing: it flushes anyway
        try:
            if out.done:
                return
            batch = out.box.pop(0, None)
            if batch is None:
                return
            start = out.sent
            try:
                conn.write_chunks(out, batch, self._encoder)
            except CallFailed:
                # The call thread reports it when it flushes these items
                # (minus those written before the bad one).
                out.failed = batch[out.sent - start:]
            except (ConnectionAbort, OSError):
                pass                    # the call thread sees it too
        finally:
            conn.wlock.release()


_flusher = _Flusher()


class _Poker:
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

    def watch(self, conn: "_CallConnection", cid: int) -> None:
        with self._cond:
            self._watched[conn] = cid
            if not self._started:
                self._started = True
                _start_thread(self._run, "gobridge-poker")
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
                        signal.pthread_kill(_main_ident, signal.SIGUSR1)
                    else:
                        _set_async_exc(own, None)


_poker = _Poker()


class _InputStream:
    """The iterator a client-stream argument becomes.

    ``next()`` returns the host's next item, blocks while none has arrived,
    stops when the host ends the stream and raises :class:`Cancelled` once
    the call is cancelled. Consume it on the thread that runs the call.
    """

    __slots__ = ("_conn", "_cid", "_items", "_ended", "_closed",
                 "_outstanding", "_consumed", "_received")

    def __init__(self, conn: "_CallConnection", cid: int) -> None:
        self._conn = conn
        self._cid = cid
        self._items = collections.deque()
        self._ended = False
        self._closed = False
        self._outstanding = INPUT_WINDOW   # items the host may still send
        self._consumed = 0                 # consumed since the last credit
        self._received = 0                 # items received (input[k] paths)

    def __iter__(self) -> "_InputStream":
        return self

    def __repr__(self) -> str:
        return "<gobridge input stream of call %d>" % self._cid

    def __next__(self) -> Any:
        items = self._items
        if items:
            self._consumed += 1
            if self._consumed >= _INPUT_REPLENISH:
                self._replenish()
            return items.popleft()
        return self._next_blocking()

    def _feed(self, items: list, deep: bool) -> None:
        """Queue a chunk's items; ``deep``: they may nest too deeply.

        Input the host may not send fails the call (CallFailed).
        """
        if self._ended:
            raise CallFailed(PROTOCOL_ERROR, "input after the end of the "
                                             "input stream")
        self._outstanding -= len(items)
        if self._outstanding < 0:
            raise CallFailed(PROTOCOL_ERROR, "the host sent more input than "
                                             "credited")
        if deep:
            problem = _wire.find_deep_value(items, "input", self._received)
            if problem is not None:
                raise CallFailed(TYPE_MISMATCH, problem)
        self._received += len(items)
        self._items.extend(items)

    def _end(self) -> None:
        """The host ended the input; a second end fails the call."""
        if self._ended:
            raise CallFailed(PROTOCOL_ERROR, "input after the end of the "
                                             "input stream")
        self._ended = True

    def _check_thread(self) -> None:
        if threading.get_ident() != self._conn.tid:
            raise RuntimeError("a gobridge input stream must be consumed on "
                               "the thread that runs the call")

    def _replenish(self) -> None:
        conn = self._conn
        self._check_thread()
        conn.fence()
        count = self._consumed
        self._consumed = 0
        self._outstanding += count
        try:
            conn.write(encode_credit(self._cid, count))
        except ConnectionAbort as exc:
            conn.broken = exc
            raise
        conn.state = _USER
        if conn.cancel_id == self._cid:
            raise Cancelled()

    def _next_blocking(self) -> Any:
        conn = self._conn
        cid = self._cid
        if self._closed:
            raise StopIteration
        if conn.cancel_id == cid:
            raise Cancelled()
        if self._ended:
            raise StopIteration
        self._check_thread()
        conn.fence()
        try:
            out = conn.out
            if out is not None:
                out.resync()          # always flush before blocking
                conn.flush(out)
            while not self._items and not self._ended:
                if conn.cancel_id == cid:
                    raise Cancelled()
                conn.pump(cid)
        except ConnectionAbort as exc:
            conn.broken = exc
            raise
        conn.state = _USER
        if conn.cancel_id == cid:
            raise Cancelled()
        if self._items:
            return self.__next__()
        raise StopIteration


class _CallConnection:
    """A call connection: runs one call at a time on the thread serving it."""

    __slots__ = ("server", "sock", "reader", "conn_id", "max_frame",
                 "encoder", "lock", "wlock", "state", "current", "last_id",
                 "done_id", "cancel_id", "injected", "delivered", "tid",
                 "on_main", "out", "inp", "broken", "_text_limit")

    def __init__(self, server: "_Server", sock: socket.socket,
                 reader: _wire.Reader, conn_id: int) -> None:
        self.server = server
        self.sock = sock
        self.reader = reader
        self.conn_id = conn_id
        self.max_frame = server.max_frame
        self.encoder = _wire.Encoder()
        self.lock = threading.Lock()    # cancel bookkeeping and injection
        self.wlock = threading.Lock()   # writes (shared with the flusher)
        self.state = _FRAMEWORK
        self.current = 0                # id of the running call, 0 if none
        self.last_id = 0                # highest call id received
        self.done_id = 0                # highest call id finished
        self.cancel_id = 0              # highest call id to cancel
        self.injected = False           # Cancelled was injected in this call
        self.delivered = False          # the signal handler raised it
        self.tid = 0
        self.on_main = False
        self.out = None                 # type: Optional[_Output]
        self.inp = None                 # type: Optional[_InputStream]
        # Why the connection cannot serve any more, once it cannot.
        self.broken = None              # type: Optional[ConnectionAbort]
        self._text_limit = min(65536, max(256, self.max_frame // 8))

    # -- cancellation ------------------------------------------------------

    def request_cancel(self, cid: int) -> None:
        """Cancel call ``cid`` (control thread)."""
        with self.lock:
            if cid <= self.done_id:
                return                  # finished: the answer is out
            if cid > self.cancel_id:
                self.cancel_id = cid
            if cid != self.current or self.state != _USER or self.injected:
                return                  # the call thread sees cancel_id
            self.injected = True
            if self.on_main:
                signal.pthread_kill(_main_ident, signal.SIGUSR1)
            else:
                _set_async_exc(self.tid, Cancelled)
        _poker.watch(self, cid)

    def needs_poke(self, cid: int) -> bool:
        """True while an interruption of call ``cid`` may be pending unseen."""
        return (self.current == cid and self.state == _USER
                and not (self.on_main and self.delivered))

    def _note_cancel(self, cid: int) -> None:
        with self.lock:
            if cid > self.cancel_id:
                self.cancel_id = cid

    def fence(self) -> None:
        """Leave user code: no injected Cancelled fires after this returns."""
        with self.lock:
            self.state = _FRAMEWORK
            if self.injected and not self.on_main:
                _set_async_exc(self.tid, None)

    def _settle(self) -> None:
        """Fence, absorbing an injected Cancelled that fires meanwhile."""
        while True:
            try:
                self.fence()
                return
            except Cancelled:
                continue

    # -- writing -----------------------------------------------------------

    def write_locked(self, payload: bytes, atts: Any = ()) -> None:
        try:
            _wire.write_message(self.sock, payload, atts)
        except OSError as exc:
            self.broken = ConnectionLost(str(exc))
            raise self.broken from None

    def write(self, payload: bytes, atts: Any = ()) -> None:
        with self.wlock:
            self.write_locked(payload, atts)

    def _too_large(self, payload: bytes, atts: List[Any]) -> bool:
        return _wire.too_large(payload, atts, self.max_frame)

    def _send_error(self, cid: Optional[int], code: str, message: str,
                    extra: Optional[dict] = None) -> None:
        self.write(encode_error(cid, code, message, extra, self._text_limit))

    def _send_cancelled(self, cid: int) -> None:
        self._send_error(cid, CANCELLED, "the call was cancelled")

    def _send_result(self, cid: int, value: Any) -> None:
        try:
            data, atts = self.encoder.encode(value, "result")
        except CallFailed as failure:
            self._send_error(cid, failure.code, failure.message)
            return
        payload = encode_result(cid, data, len(atts))
        if atts:
            too_large = self._too_large(payload, atts)
        else:
            too_large = len(payload) > self.max_frame
        if too_large:
            self._send_error(
                cid, FRAME_TOO_LARGE,
                "result: the value needs %d bytes, more than the maximum "
                "frame size of %d bytes"
                % (max([len(payload)] + [len(a) for a in atts]),
                   self.max_frame))
            return
        # No wlock: the flusher writes only for a running stream call.
        self.write_locked(payload, atts)

    def _send_exception(self, cid: int, entry: Function, args: List[Any],
                        exc: BaseException) -> None:
        if isinstance(exc, CallFailed):
            self._send_error(cid, exc.code, exc.message)
        elif isinstance(exc, TypeError) and not entry.arguments_fit(args):
            self._send_error(cid, BAD_ARGUMENTS, _safe_str(exc))
        else:
            self._send_error(cid, REMOTE_EXCEPTION, _safe_str(exc), {
                "type": _wire.type_name(exc),
                "traceback": _format_traceback(exc)})

    def write_chunks(self, out: _Output, items: List[Any],
                     encoder: _wire.Encoder) -> None:
        """Write ``items`` as chunk message(s); caller holds ``wlock``.

        If an item cannot be encoded, the items before it are written and
        CallFailed is raised.
        """
        try:
            data, atts = encoder.encode_items(items, out.sent)
        except CallFailed as failure:
            if failure.index > 0:
                self.write_chunks(out, items[:failure.index], encoder)
            raise
        payload = encode_chunk(out.cid, data, len(atts))
        if self._too_large(payload, atts):
            if len(items) > 1:
                half = len(items) // 2
                self.write_chunks(out, items[:half], encoder)
                self.write_chunks(out, items[half:], encoder)
                return
            raise CallFailed(
                FRAME_TOO_LARGE,
                "items[%d]: the item needs %d bytes, more than the maximum "
                "frame size of %d bytes"
                % (out.sent, max([len(payload)] + [len(a) for a in atts]),
                   self.max_frame))
        self.write_locked(payload, atts)
        out.sent += len(items)
        size = len(payload) + sum(len(a) for a in atts)
        if size > BATCH_TARGET_BYTES:
            out.cap = max(1, len(items) * BATCH_TARGET_BYTES // size)
        elif out.cap < BATCH_MAX_ITEMS and size < BATCH_TARGET_BYTES // 2:
            out.cap = min(BATCH_MAX_ITEMS, out.cap * 2)

    def flush(self, out: _Output) -> None:
        """Send the call thread's batch (and a batch the flusher left)."""
        batch = out.batch
        if batch:
            out.batch = []
        with self.wlock:
            failed = out.failed
            if failed is not None:
                out.failed = None
                batch = failed + batch
            if batch:
                self.write_chunks(out, batch, self.encoder)

    def _write_terminal(self, out: _Output, payload: bytes) -> None:
        with self.wlock:
            out.done = True
            self.write_locked(payload)

    # -- reading during a call ---------------------------------------------

    def pump(self, cid: int) -> None:
        """Read and apply one message while call ``cid`` runs.

        A message that breaks the protocol for this call only fails the
        call (CallFailed); one that breaks it for the connection raises
        ProtocolViolation (protocol section 8).
        """
        reader = self.reader
        msg = reader.read_message()
        if msg is None:
            raise ConnectionLost("the host closed the connection")
        mtype = msg["type"]
        if mtype not in _CALL_TRAFFIC:
            raise ProtocolViolation("%s message while call %d runs"
                                    % (mtype, cid))
        self._take_traffic(msg, mtype)

    def _take_traffic(self, msg: dict, mtype: str) -> None:
        """Apply a chunk, end, credit or cancel to the running call, or drop
        it as stale (no call runs: ``current`` is 0)."""
        current = self.current
        last_id = self.last_id
        if mtype == "credit":
            count = decode_credit(msg, current, last_id)
            if count is not None and self.out is not None:
                self.out.credit += count
        elif mtype == "cancel":
            if decode_cancel(msg, current, last_id):
                self._note_cancel(current)
        else:
            inp = self.inp
            if mtype == "end":
                if decode_end(msg, current, last_id, inp is not None):
                    inp._end()
            else:
                reader = self.reader
                items = decode_chunk(msg, current, last_id, inp is not None,
                                     reader.flaw)
                if items is not None:
                    inp._feed(items, reader.deep)

    # -- serving -----------------------------------------------------------

    def serve(self) -> None:
        """Serve this connection on the calling thread until it closes."""
        self.tid = threading.get_ident()
        self.on_main = self.tid == _main_ident
        server = self.server
        if self.on_main:
            server.main_conn = self
        try:
            self._loop()
        except ProtocolViolation as exc:
            # The error without id tells the host why the connection closes.
            try:
                self._send_error(None, PROTOCOL_ERROR, str(exc))
            except ConnectionAbort:
                pass
        except (ConnectionAbort, OSError, Cancelled):
            pass
        finally:
            if self.on_main:
                server.main_conn = None
            server.conns.pop(self.conn_id, None)
            self.close()

    def close(self) -> None:
        self.reader.close()
        try:
            self.sock.close()
        except OSError:
            pass

    def _loop(self) -> None:
        read = self.reader.read_message
        while True:
            msg = read()
            if msg is None:
                return
            mtype = msg["type"]
            if mtype == "call":
                self._run_call(msg)
            elif mtype == "describe":
                cid = self.last_id = decode_describe(msg, self.last_id)
                self._send_result(cid, describe_all())
                with self.lock:
                    self.done_id = cid
            elif mtype in _CALL_TRAFFIC:
                self._take_traffic(msg, mtype)     # stale, or a violation
            else:
                raise ProtocolViolation("unexpected %s message on a call "
                                        "connection" % mtype)

    def _run_call(self, msg: dict) -> None:
        reader = self.reader
        try:
            cid, method, args, window, stream_out = decode_call(
                msg, self.last_id, reader.flaw, reader.deep)
            refusal = None
        except CallFailed as failure:
            # A call that is wrong in itself fails alone (protocol section 8).
            cid = failure.cid
            refusal = failure
        self.last_id = cid
        try:
            if refusal is None:
                self._dispatch(cid, method, args, window, stream_out)
            else:
                self._send_error(cid, refusal.code, refusal.message)
        finally:
            # Every path out of a call fenced: the state is _FRAMEWORK and
            # the control thread injects nothing any more.
            self.current = 0
            self.done_id = cid
            if self.injected:
                self._settle()
            if self.inp is not None:
                self.inp._closed = True
                self.inp._items.clear()
                self.inp = None
            self.out = None
        if self.broken:
            raise self.broken

    def _dispatch(self, cid: int, method: str, args: List[Any], window: int,
                  stream_out: Optional[bool]) -> None:
        entry = _registry.get(method)
        if entry is None:
            self._send_error(cid, UNKNOWN_METHOD,
                             "no function named %r is exposed" % method)
            return
        if stream_out is not None and stream_out != entry.is_generator:
            self._send_error(
                cid, BAD_ARGUMENTS,
                "%s() %s, but the call expects %s" % (
                    method,
                    "is a generator function" if entry.is_generator
                    else "returns a single result",
                    "a stream" if stream_out else "a single result"))
            return
        stream_at = -1
        if STREAM in args:
            positions = [i for i, a in enumerate(args) if a is STREAM]
            if len(positions) > 1:
                self._send_error(cid, BAD_ARGUMENTS,
                                 "at most one argument may be a stream")
                return
            stream_at = positions[0]
        # Plain writes suffice: the control thread reads these under the
        # lock, and the GIL orders them (injected and delivered first).
        self.injected = False
        self.delivered = False
        self.current = cid
        if stream_at >= 0:
            self.inp = _InputStream(self, cid)
            args[stream_at] = self.inp
            self.write(encode_credit(cid, INPUT_WINDOW))
        if entry.is_generator:
            self._run_stream(entry, args, cid, window)
        else:
            self._run_plain(entry, args, cid)

    def _run_plain(self, entry: Function, args: List[Any], cid: int) -> None:
        try:
            self.state = _USER
            if self.cancel_id == cid:
                raise Cancelled()
            value = entry.fn(*args)
            self.fence()
        except Cancelled:
            self._settle()
            self._send_cancelled(cid)
            return
        except ConnectionAbort:
            self._settle()
            raise
        except BaseException as exc:
            self._settle()
            if self.broken:
                raise self.broken
            if self.cancel_id == cid:
                self._send_cancelled(cid)
            else:
                self._send_exception(cid, entry, args, exc)
            return
        if self.broken:
            raise self.broken
        self._send_result(cid, value)

    def _run_stream(self, entry: Function, args: List[Any], cid: int,
                    window: int) -> None:
        out = _Output(self, cid, window)
        self.out = out
        box = out.box
        batch = out.batch
        it = None
        try:
            self.state = _USER
            if self.cancel_id == cid:
                raise Cancelled()
            it = iter(entry.fn(*args))
            self.fence()
            # The loop below runs once per item: it keeps its state in
            # locals and touches ``out`` only where another thread looks.
            clock = time.perf_counter
            arm = _flusher.arm
            take_back = box.pop
            append = batch.append
            queued = 0                  # items taken from the generator
            credit = out.credit
            cap = out.cap
            first = before = clock()
            while True:
                self.state = _USER
                if self.cancel_id == cid:
                    raise Cancelled()
                if batch:
                    box[0] = batch      # the flusher may send it meanwhile
                    if not out.armed:
                        arm(out)
                try:
                    item = next(it)
                except StopIteration:
                    break
                self.state = _FRAMEWORK
                now = clock()
                if batch:
                    if take_back(0, None) is None:
                        batch = out.batch = []      # the flusher took it
                        append = batch.append
                if queued >= credit:
                    credit = out.credit
                    if queued >= credit:
                        # No credit for this item: hold it until the host
                        # sends some. (Taking it first lets ``end`` go out
                        # without credit once the generator is exhausted.)
                        self.fence()
                        self.flush(out)
                        while queued >= out.credit:
                            if self.cancel_id == cid:
                                raise Cancelled()
                            self.pump(cid)
                        credit = out.credit
                        cap = out.cap
                        batch = out.batch
                        append = batch.append
                        now = before = clock()
                if not batch:
                    first = out.first_t = now
                append(item)
                queued += 1
                if (len(batch) >= cap or now - before > _SLOW_NEXT
                        or now - first >= _MAX_AGE):
                    self.fence()
                    self.flush(out)
                    cap = out.cap
                    batch = out.batch
                    append = batch.append
                    now = clock()
                before = now
            self.fence()
            if batch and box.pop(0, None) is None:
                out.batch = []
            self.flush(out)
            self._write_terminal(out, encode_end(cid))
        except Cancelled:
            self._settle()
            self._abandon(out, it)
            if self.broken:
                raise self.broken
            self._write_terminal(
                out, encode_error(cid, CANCELLED, "the call was cancelled"))
        except ConnectionAbort:
            self._settle()
            out.done = True
            self._close_quietly(it)
            raise
        except BaseException as exc:
            self._settle()
            if self.broken:
                out.done = True
                self._close_quietly(it)
                raise self.broken
            if self.cancel_id == cid and not isinstance(exc, CallFailed):
                self._abandon(out, it)
                self._write_terminal(
                    out, encode_error(cid, CANCELLED, "the call was cancelled"))
                return
            if not isinstance(exc, CallFailed):
                # The items yielded before the exception go out first.
                try:
                    if batch and box.pop(0, None) is None:
                        out.batch = []
                    self.flush(out)
                except CallFailed as failure:
                    exc = failure
            self._abandon(out, it)
            with self.wlock:
                out.done = True
            self._send_exception(cid, entry, args, exc)
        finally:
            out.done = True

    def _abandon(self, out: _Output, it: Any) -> None:
        """Drop unsent items and close the generator (GeneratorExit)."""
        box_batch = out.box.pop(0, None)
        del box_batch
        out.batch = []
        self._close_quietly(it)

    @staticmethod
    def _close_quietly(it: Any) -> None:
        close = getattr(it, "close", None)
        if close is None:
            return
        try:
            close()
        except ConnectionAbort:
            raise
        except BaseException:
            pass


class _Server:
    """Listens on the socket and hands connections to threads."""

    def __init__(self, path: str, token: str, max_frame: int) -> None:
        self.path = path
        self.token = token.encode("utf-8", "surrogatepass")
        self.max_frame = max_frame
        self.conns = {}   # conn id -> _CallConnection (for control cancels)
        self.main_conn = None   # type: Optional[_CallConnection]
        self.listener = None    # type: Optional[socket.socket]
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._main_idle = True
        self._handoff = queue.SimpleQueue()

    # -- lifecycle ---------------------------------------------------------

    def listen(self) -> None:
        tmp = self.path + ".tmp"
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_mask = os.umask(0o177)
        try:
            listener.bind(tmp)
        finally:
            os.umask(old_mask)
        listener.listen(128)
        os.replace(tmp, self.path)
        self.listener = listener

    def terminate(self, signum: int = 0, frame: Any = None) -> None:
        """SIGTERM/SIGINT: remove the socket file and exit with status 0."""
        for path in (self.path, self.path + ".tmp"):
            try:
                os.unlink(path)
            except OSError:
                pass
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(0)

    def serve_forever(self) -> None:
        signal.signal(signal.SIGTERM, self.terminate)
        signal.signal(signal.SIGINT, self.terminate)
        signal.signal(signal.SIGUSR1, _on_cancel_signal)
        self.listen()
        _flusher.start()
        _start_thread(self._accept_loop, "gobridge-accept")
        parent = os.getppid()
        while True:
            try:
                # The timeout only bounds how long a signal that reached
                # another thread (one started by user code) waits for its
                # handler: our own threads block the signals.
                conn = self._handoff.get(timeout=0.5)
            except queue.Empty:
                # The host died without stopping us (it crashed, or was
                # killed): nobody will ever connect again.
                if os.getppid() != parent:
                    self.terminate(signal.SIGTERM, None)
                continue
            try:
                conn.serve()
            finally:
                with self._lock:
                    self._main_idle = True

    def _accept_loop(self) -> None:
        listener = self.listener
        while True:
            try:
                sock, _ = listener.accept()
            except OSError as exc:
                print("gobridge: accept failed: %s" % exc, file=sys.stderr)
                time.sleep(0.05)   # out of descriptors: back off a little
                continue
            # This thread blocks the worker's signals: so does the new one.
            threading.Thread(target=self._handshake, args=(sock,),
                             name="gobridge-conn", daemon=True).start()

    # -- connections -------------------------------------------------------

    def _refuse(self, sock: socket.socket, code: str, message: str) -> None:
        try:
            _wire.write_message(
                sock, encode_error(None, code, message), ())
        except OSError:
            pass

    def _peer_is_us(self, sock: socket.socket) -> bool:
        option = getattr(socket, "SO_PEERCRED", None)
        if option is None:
            return True   # no SO_PEERCRED here: the 0700 directory guards
        creds = sock.getsockopt(socket.SOL_SOCKET, option,
                                struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return uid == os.getuid()

    def _authenticate(self, sock: socket.socket,
                      reader: _wire.Reader) -> Optional[str]:
        """Check the peer and its hello; return the role, or None if refused.

        Nothing but the first frame is read from a peer that is refused.
        """
        if not self._peer_is_us(sock):
            self._refuse(sock, UNAUTHORIZED,
                         "the peer runs as a different user")
            return None
        try:
            payload = reader.read_frame(True)
            if payload is None:
                return None
            msg = reader.decode(payload)
            return decode_hello(msg, self.token)
        except ProtocolViolation as exc:
            self._refuse(sock, PROTOCOL_ERROR, str(exc))
        except Unauthorized as exc:
            self._refuse(sock, UNAUTHORIZED, str(exc))
        return None

    def _handshake(self, sock: socket.socket) -> None:
        """Authenticate a new connection, then serve it (own thread)."""
        reader = _wire.Reader(sock, self.max_frame)
        conn = None
        conn_id = 0
        to_main = False
        try:
            role = self._authenticate(sock, reader)
            if role is None:
                return
            conn_id = next(self._ids)
            if role == "call":
                # Registered before the answer: the host may send a cancel
                # for this connection as soon as it reads the answer.
                conn = _CallConnection(self, sock, reader, conn_id)
                self.conns[conn_id] = conn
                # Claimed before the answer too, so that the first call
                # connection the host sees answered is the one served by the
                # main thread.
                with self._lock:
                    to_main = self._main_idle
                    self._main_idle = False
            _wire.write_message(
                sock, encode_hello(conn_id, os.getpid(), sys.version_info), ())
            if conn is None:
                self._serve_control(sock, reader)
                return
        except (OSError, ConnectionAbort):
            conn = None
            if to_main:
                with self._lock:
                    self._main_idle = True
            return
        finally:
            if conn is None:
                self.conns.pop(conn_id, None)
                self._close(sock, reader)
        if to_main:
            self._handoff.put(conn)
        else:
            conn.serve()

    @staticmethod
    def _close(sock: Optional[socket.socket],
               reader: Optional[_wire.Reader]) -> None:
        if reader is not None:
            reader.close()
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def _serve_control(self, sock: socket.socket,
                       reader: _wire.Reader) -> None:
        """Serve a control connection until it closes.

        A violation ends it with an error without id, as on a call
        connection.
        """
        try:
            self._control_loop(sock, reader)
        except ProtocolViolation as exc:
            self._refuse(sock, PROTOCOL_ERROR, str(exc))

    def _control_loop(self, sock: socket.socket,
                      reader: _wire.Reader) -> None:
        while True:
            msg = reader.read_message()
            if msg is None:
                return
            mtype = msg["type"]
            if mtype == "ping":
                _wire.write_message(sock, encode_pong(decode_ping(msg)), ())
            elif mtype == "cancel":
                conn_id, cid = decode_cancel(msg)
                conn = self.conns.get(conn_id)
                if conn is not None:
                    conn.request_cancel(cid)
            else:
                raise ProtocolViolation("unexpected %s message on the "
                                        "control connection" % mtype)


def _on_cancel_signal(signum: int, frame: Any) -> None:
    """SIGUSR1: raise Cancelled in a cancelled call on the main thread."""
    server = _server
    conn = server.main_conn if server is not None else None
    if (conn is not None and conn.state == _USER and conn.current
            and conn.cancel_id == conn.current and not conn.delivered):
        conn.delivered = True
        raise Cancelled()


def _fail(message: str) -> None:
    print("gobridge: " + message, file=sys.stderr)
    sys.exit(2)


def run() -> None:
    """Serve the ``@gobridge`` functions to the pool that started this script.

    Reads ``GOBRIDGE_SOCKET``, ``GOBRIDGE_TOKEN`` and ``GOBRIDGE_MAX_FRAME``
    (and removes them from ``os.environ``), listens on the socket and serves
    calls until the process gets SIGTERM or SIGINT, which remove the socket
    file and exit with status 0. Call it from the main thread, after the
    functions are defined; it never returns.

    Without ``GOBRIDGE_SOCKET`` the script was not started by a pool: it
    prints a message to stderr and exits with status 2.

    ``run()`` installs handlers for SIGTERM, SIGINT and SIGUSR1 (the control
    thread uses SIGUSR1 to interrupt a cancelled call on the main thread,
    for example in ``time.sleep``); user code must leave them alone. It also
    makes ``sys.stdout`` line buffered so that printed lines reach the host
    at once; the worker itself never writes to stdout.
    """
    global _server
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("gobridge.run() must be called from the main "
                           "thread")
    path = os.environ.pop("GOBRIDGE_SOCKET", None)
    token = os.environ.pop("GOBRIDGE_TOKEN", None)
    max_frame_text = os.environ.pop("GOBRIDGE_MAX_FRAME", None)
    if not path:
        _fail("GOBRIDGE_SOCKET is not set. This script is a QGobridge "
              "worker: it is meant to be started by a QGbPool (for example "
              "QGbPool pool(\"%s\")), not run directly."
              % os.path.basename(sys.argv[0] if sys.argv else "worker.py"))
    if not token:
        _fail("GOBRIDGE_TOKEN is not set; a QGbPool sets it together with "
              "GOBRIDGE_SOCKET.")
    max_frame = _wire.DEFAULT_MAX_FRAME
    if max_frame_text:
        try:
            max_frame = int(max_frame_text)
        except ValueError:
            max_frame = 0
        if max_frame <= 0:
            _fail("GOBRIDGE_MAX_FRAME must be a positive integer, not %r"
                  % max_frame_text)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(line_buffering=True)
        except Exception:
            pass
    import ctypes  # noqa: F401  (used by _set_async_exc, see there)
    _server = _Server(path, token, max_frame)
    try:
        _server.serve_forever()
    except OSError as exc:
        _fail("cannot serve on %s: %s" % (path, exc))
