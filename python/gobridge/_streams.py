"""The streams of a call: output items with credit, the flusher, input items.

* :class:`Output` holds the items a generator yielded until they go out in
  ``chunk`` messages, within the host's credit, in batches sized by
  BATCH_MAX_ITEMS and BATCH_TARGET_BYTES (docs/protocol.md section 5, flow
  control);
* :class:`Flusher`, one thread, sends the items a generator yielded quickly
  before a long pause;
* :class:`InputStream` is the iterator a client-stream argument becomes.

A stream uses this of its call connection: ``wlock`` (taken around every
write), ``write_locked()``, ``max_frame`` and ``encoder`` (the call thread's
value encoder); an input stream also reads ``cancel_id`` and calls
``await_input()`` and ``grant_input()``. The connection drives an input
stream through :meth:`InputStream.grant`, :meth:`InputStream.feed`,
:meth:`InputStream.end` and :meth:`InputStream.close`.
"""

import collections
import queue
import threading
import time
from typing import Any, List

from . import _wire
from ._cancel import start_thread
from ._messages import encode_chunk
from ._registry import Cancelled
from ._wire import (
    FRAME_TOO_LARGE, PROTOCOL_ERROR, TYPE_MISMATCH, CallFailed,
    ConnectionAbort)

INPUT_WINDOW = 1024          # input credit the worker grants
_INPUT_REPLENISH = INPUT_WINDOW // 2
BATCH_MAX_ITEMS = 256        # most items in one chunk message
BATCH_TARGET_BYTES = 65536   # chunk size the batching aims at
SLOW_NEXT = 0.0002           # a next() slower than this flushes at once
MAX_AGE = 0.001              # oldest an unsent item gets at a yield point
_FLUSHER_MIN_SLEEP = 0.0002


class Output:
    """Output side of a streaming call: batch, credit and flusher handoff.

    ``batch`` belongs to the call thread. While the call thread runs the
    generator it publishes a non-empty batch in ``box``; whoever pops it from
    there (the call thread afterwards, or the flusher meanwhile) owns it.
    All writes happen under the connection's ``wlock``, and the flusher pops
    only while holding it, which keeps the items in order. The call
    connection's generator loop uses ``box``, ``batch``, ``credit``, ``cap``
    and ``first_t`` directly: it runs once per item.
    """

    __slots__ = ("conn", "cid", "box", "batch", "credit", "sent", "first_t",
                 "cap", "armed", "done", "failed")

    def __init__(self, conn: Any, cid: int, window: int) -> None:
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

    def grant(self, count: int) -> None:
        """The host's ``credit``: ``count`` more items may go out."""
        self.credit += count

    def resync(self) -> None:
        """Take the batch back after (or inside) the generator's next()."""
        if self.batch and self.box.pop(0, None) is None:
            self.batch = []       # the flusher took it and sends it

    def write_chunks(self, items: List[Any], encoder: _wire.Encoder) -> None:
        """Write ``items`` as chunk message(s); caller holds ``wlock``.

        If an item cannot be encoded, the items before it are written and
        CallFailed is raised.
        """
        try:
            data, atts = encoder.encode_items(items, self.sent)
        except CallFailed as failure:
            if failure.index > 0:
                self.write_chunks(items[:failure.index], encoder)
            raise
        payload = encode_chunk(self.cid, data, len(atts))
        limit = self.conn.max_frame
        if _wire.too_large(payload, atts, limit):
            if len(items) > 1:
                half = len(items) // 2
                self.write_chunks(items[:half], encoder)
                self.write_chunks(items[half:], encoder)
                return
            raise CallFailed(
                FRAME_TOO_LARGE,
                "items[%d]: the item needs %d bytes, more than the maximum "
                "frame size of %d bytes"
                % (self.sent, max([len(payload)] + [len(a) for a in atts]),
                   limit))
        self.conn.write_locked(payload, atts)
        self.sent += len(items)
        size = len(payload) + sum(len(a) for a in atts)
        if size > BATCH_TARGET_BYTES:
            self.cap = max(1, len(items) * BATCH_TARGET_BYTES // size)
        elif self.cap < BATCH_MAX_ITEMS and size < BATCH_TARGET_BYTES // 2:
            self.cap = min(BATCH_MAX_ITEMS, self.cap * 2)

    def flush(self) -> None:
        """Send the call thread's batch (and a batch the flusher left)."""
        batch = self.batch
        if batch:
            self.batch = []
        conn = self.conn
        with conn.wlock:
            failed = self.failed
            if failed is not None:
                self.failed = None
                batch = failed + batch
            if batch:
                self.write_chunks(batch, conn.encoder)

    def finish(self, payload: bytes) -> None:
        """Write the call's terminal message; nothing goes out after it."""
        conn = self.conn
        with conn.wlock:
            self.done = True
            conn.end_locked(self.cid)
            conn.write_locked(payload)

    def drop(self) -> None:
        """Drop the items not sent yet (the call ends without them)."""
        box_batch = self.box.pop(0, None)
        del box_batch
        self.batch = []


class Flusher:
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
            start_thread(self._run, "gobridge-flusher")

    def arm(self, out: Output) -> None:
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
            wait = MAX_AGE
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
                if age >= MAX_AGE:
                    self._flush(out)
                else:
                    wait = min(wait, MAX_AGE - age)
            if watched:
                time.sleep(max(wait, _FLUSHER_MIN_SLEEP))

    def _flush(self, out: Output) -> None:
        wlock = out.conn.wlock
        if not wlock.acquire(False):
            return          # the call thread is writing: it flushes anyway
        try:
            if out.done:
                return
            batch = out.box.pop(0, None)
            if batch is None:
                return
            start = out.sent
            try:
                out.write_chunks(batch, self._encoder)
            except CallFailed:
                # The call thread reports it when it flushes these items
                # (minus those written before the bad one).
                out.failed = batch[out.sent - start:]
            except (ConnectionAbort, OSError):
                pass                    # the call thread sees it too
        finally:
            wlock.release()


flusher = Flusher()


class InputStream:
    """The iterator a client-stream argument becomes.

    ``next()`` returns the host's next item, blocks while none has arrived,
    stops when the host ends the stream and raises :class:`Cancelled` once
    the call is cancelled. Consume it on the thread that runs the call.
    """

    __slots__ = ("_conn", "_cid", "_tid", "_items", "_ended", "_closed",
                 "_outstanding", "_ungranted", "_received")

    def __init__(self, conn: Any, cid: int) -> None:
        self._conn = conn
        self._cid = cid
        self._tid = threading.get_ident()  # the thread that runs the call
        self._items = collections.deque()
        self._ended = False
        self._closed = False
        self._outstanding = 0              # items the host may still send
        # Items of the window not granted yet: all of them at first, then
        # those consumed since the last grant.
        self._ungranted = INPUT_WINDOW
        self._received = 0                 # items received (input[k] paths)

    def __iter__(self) -> "InputStream":
        return self

    def __repr__(self) -> str:
        return "<gobridge input stream of call %d>" % self._cid

    def __next__(self) -> Any:
        items = self._items
        if items:
            self._ungranted += 1
            if self._ungranted >= _INPUT_REPLENISH:
                self._check_thread()
                self._conn.grant_input(self)
            return items.popleft()
        return self._next_blocking()

    # -- the connection's side ---------------------------------------------

    def grant(self) -> int:
        """The input credit to send the host now, counted as granted."""
        count = self._ungranted
        self._ungranted = 0
        self._outstanding += count
        return count

    def feed(self, items: list, deep: bool) -> None:
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

    def end(self) -> None:
        """The host ended the input; a second end fails the call."""
        if self._ended:
            raise CallFailed(PROTOCOL_ERROR, "input after the end of the "
                                             "input stream")
        self._ended = True

    def starved(self) -> bool:
        """True while next() has to wait for the host."""
        return not self._items and not self._ended

    def close(self) -> None:
        """The call ended: drop what is left; next() stops from now on."""
        self._closed = True
        self._items.clear()

    # -- waiting -----------------------------------------------------------

    def _check_thread(self) -> None:
        if threading.get_ident() != self._tid:
            raise RuntimeError("a gobridge input stream must be consumed on "
                               "the thread that runs the call")

    def _next_blocking(self) -> Any:
        if self._closed:
            raise StopIteration
        if self._conn.cancel_id == self._cid:
            raise Cancelled()
        if self._ended:
            raise StopIteration
        self._check_thread()
        self._conn.await_input(self)
        if self._items:
            return self.__next__()
        raise StopIteration
