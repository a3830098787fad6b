"""A call connection: reads its frames, runs its calls, writes the answers.

One :class:`CallConnection` per call connection, served by one thread (the
main thread or a thread of its own, docs/protocol.md section 7) that runs
the functions itself: there is no reader thread and no queue between
receiving a call and running it. The connection reads its socket only
between calls and while a call waits for input or output credit
(:meth:`CallConnection.pump`). Messages are read and built with
``_messages``; interruption is ``_cancel``'s (the connection is an
:class:`Interruptible`); stream items are ``_streams``'.
"""

import threading
import time
import traceback
from typing import Any, List, Optional

from . import _wire
from ._cancel import FRAMEWORK, USER, Interruptible
from ._messages import (
    decode_call, decode_cancel, decode_chunk, decode_credit, decode_describe,
    decode_end, encode_credit, encode_end, encode_error, encode_progress,
    encode_result)
from ._registry import Cancelled, Function, describe_all
from ._registry import _registry   # lookups by name only, never getattr
from ._streams import (
    MAX_AGE, SLOW_NEXT, InputStream, Output, flusher)
from ._wire import (
    BAD_ARGUMENTS, CANCELLED, FRAME_TOO_LARGE, PROTOCOL_ERROR,
    REMOTE_EXCEPTION, STREAM, UNKNOWN_METHOD, CallFailed, ConnectionAbort,
    ConnectionLost, ProtocolViolation)

_CALL_TRAFFIC = frozenset(("chunk", "end", "credit", "cancel"))

#: The call connection each thread serves (``_local.conn``): how
#: ``gobridge.progress()`` and the logging handler find the running call.
_local = threading.local()


def serving() -> Optional["CallConnection"]:
    """The call connection the calling thread serves, or None."""
    return getattr(_local, "conn", None)


def _format_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` from the first frame outside this module."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_globals.get("__name__") == __name__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return "<unprintable %s>" % _wire.type_name(exc)


class CallConnection(Interruptible):
    """A call connection: runs one call at a time on the thread serving it."""

    __slots__ = ("server", "sock", "reader", "conn_id", "max_frame",
                 "encoder", "wlock", "last_id", "out", "inp", "broken",
                 "_text_limit", "ended_id", "prog_cid", "prog_t", "prog_box",
                 "prog_armed", "method")

    def __init__(self, server: Any, sock: Any, reader: _wire.Reader,
                 conn_id: int) -> None:
        Interruptible.__init__(self)
        self.server = server            # its ``conns`` lists this connection
        self.sock = sock
        self.reader = reader
        self.conn_id = conn_id
        self.max_frame = server.max_frame
        self.encoder = _wire.Encoder()
        self.wlock = threading.Lock()   # writes (shared with the flusher)
        self.last_id = 0                # highest call id received
        self.out = None                 # type: Optional[Output]
        self.inp = None                 # type: Optional[InputStream]
        # Why the connection cannot serve any more, once it cannot.
        self.broken = None              # type: Optional[ConnectionAbort]
        self._text_limit = min(65536, max(256, self.max_frame // 8))
        # The last call whose terminal message went out (under wlock).
        self.ended_id = 0
        # Progress of the running call (_progress): the call it is about,
        # when its last report went out, a report waiting for its turn
        # ({0: (done, total, text)}) and the call whose waiting report the
        # flusher will send (0: none).
        self.prog_cid = 0
        self.prog_t = 0.0
        self.prog_box = {}
        self.prog_armed = 0
        self.method = ""                # the last call's function name

    # -- for the input stream (called from user code) ------------------------

    def await_input(self, inp: InputStream) -> None:
        """Read the connection until ``inp`` has an item or has ended.

        Called by the input stream's next() with nothing buffered; raises
        Cancelled when the call is cancelled meanwhile.
        """
        cid = self.current
        self.fence()
        try:
            out = self.out
            if out is not None:
                out.resync()          # always flush before blocking
                out.flush()
            while inp.starved():
                if self.cancel_id == cid:
                    raise Cancelled()
                self.pump(cid)
        except ConnectionAbort as exc:
            self.broken = exc
            raise
        self.resume(cid)

    def grant_input(self, inp: InputStream) -> None:
        """Send the host the input credit ``inp`` grants now.

        Called by the input stream's next(); raises Cancelled when the
        call is cancelled meanwhile.
        """
        cid = self.current
        self.fence()
        try:
            self.write(encode_credit(cid, inp.grant()))
        except ConnectionAbort as exc:
            self.broken = exc
            raise
        self.resume(cid)

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

    def end_locked(self, cid: Optional[int]) -> None:
        """Before call ``cid``'s terminal message (caller holds ``wlock``):
        its last progress report goes out, and none after it."""
        if cid is None:
            return
        if self.prog_cid == cid:
            self.prog_cid = 0
            value = self.prog_box.pop(0, None)
            if value is not None:
                self.write_locked(encode_progress(cid, *value))
        self.ended_id = cid

    def write_terminal(self, cid: Optional[int], payload: bytes,
                       atts: Any = ()) -> None:
        """Write call ``cid``'s terminal message (result, end, error)."""
        with self.wlock:
            self.end_locked(cid)
            self.write_locked(payload, atts)

    # -- progress (gobridge.progress(), _progress) --------------------------

    def write_if_running(self, cid: int, payload: bytes,
                         now: Optional[float] = None,
                         gap: float = 0.0) -> Optional[bool]:
        """Write a message about call ``cid`` (a log record; a progress
        report when ``now`` is given) if it still runs; True if written,
        False if the call ended, None if another progress report of the
        call went out less than ``gap`` seconds before ``now`` (checked
        under the lock: the flusher may have sent one meanwhile). Any
        thread: the call's own thread uses :meth:`write_in_call`."""
        with self.wlock:
            if cid != self.current or cid == self.ended_id:
                return False
            if now is not None:
                if self.prog_cid == cid and now - self.prog_t < gap:
                    return None
                self.prog_box.pop(0, None)      # superseded by this one
                self.prog_cid = cid
                self.prog_t = now
            self.write_locked(payload)
        return True

    def write_in_call(self, cid: int, payload: bytes,
                      now: Optional[float] = None,
                      gap: float = 0.0) -> Optional[bool]:
        """:meth:`write_if_running` from the call's own thread. In user
        code it leaves it while writing, so that a cancellation cannot cut
        a frame in two, and raises Cancelled afterwards if the call was
        cancelled meanwhile."""
        in_user = self.state == USER
        if in_user:
            self.fence()
        try:
            written = self.write_if_running(cid, payload, now, gap)
        except ConnectionAbort as exc:
            self.broken = exc
            raise
        if in_user:
            self.resume(cid)
        return written

    def flush_progress(self, cid: int, now: float, interval: float,
                       retry: float) -> float:
        """The flusher's turn: write the waiting report of call ``cid``.
        Returns 0, or when to try again: after ``retry`` if the connection
        is busy writing, at the report's turn if one went out meanwhile."""
        if not self.wlock.acquire(False):
            return now + retry
        try:
            if (cid != self.prog_cid or cid != self.current
                    or cid == self.ended_id):
                return 0.0          # stale: the box is another call's
            turn = self.prog_t + interval
            if now < turn:
                return turn         # the call thread sent one meanwhile
            self.prog_armed = 0
            value = self.prog_box.pop(0, None)
            if value is None:
                return 0.0
            self.prog_t = now
            self.write_locked(encode_progress(cid, *value))
        except (ConnectionAbort, OSError):
            pass                            # the call thread sees it too
        finally:
            self.wlock.release()
        return 0.0

    def _send_error(self, cid: Optional[int], code: str, message: str,
                    extra: Optional[dict] = None) -> None:
        self.write_terminal(cid, encode_error(cid, code, message, extra,
                                              self._text_limit))

    def _send_cancelled(self, cid: int) -> None:
        self._send_error(cid, CANCELLED, "the call was cancelled")

    def _send_result(self, cid: int, value: Any) -> None:
        try:
            data, atts = self.encoder.encode(value, "result")
        except CallFailed as failure:
            self._send_error(cid, failure.code, failure.message)
            return
        if atts:
            payload = encode_result(cid, data, len(atts))
            too_large = _wire.too_large(payload, atts, self.max_frame)
        else:
            payload = encode_result(cid, data)
            too_large = len(payload) > self.max_frame
        if too_large:
            self._send_error(
                cid, FRAME_TOO_LARGE,
                "result: the value needs %d bytes, more than the maximum "
                "frame size of %d bytes"
                % (max([len(payload)] + [len(a) for a in atts]),
                   self.max_frame))
            return
        self.write_terminal(cid, payload, atts)

    def _send_exception(self, cid: int, entry: Function, args: List[Any],
                        kwargs: dict, exc: BaseException) -> None:
        if isinstance(exc, CallFailed):
            self._send_error(cid, exc.code, exc.message)
        elif (isinstance(exc, TypeError)
              and not entry.arguments_fit(args, kwargs)):
            self._send_error(cid, BAD_ARGUMENTS, _safe_str(exc))
        else:
            self._send_error(cid, REMOTE_EXCEPTION, _safe_str(exc), {
                "type": _wire.type_name(exc),
                "traceback": _format_traceback(exc)})

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
                self.out.grant(count)
        elif mtype == "cancel":
            if decode_cancel(msg, current, last_id):
                self.note_cancel(current)
        else:
            inp = self.inp
            if mtype == "end":
                if decode_end(msg, current, last_id, inp is not None):
                    inp.end()
            else:
                reader = self.reader
                items = decode_chunk(msg, current, last_id, inp is not None,
                                     reader.flaw)
                if items is not None:
                    inp.feed(items, reader.deep)

    # -- serving -----------------------------------------------------------

    def serve(self) -> None:
        """Serve this connection on the calling thread until it closes."""
        self.attach()
        _local.conn = self
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
            _local.conn = None
            self.detach()
            self.server.conns.pop(self.conn_id, None)
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
            cid, method, args, window, stream_out, kwargs = decode_call(
                msg, self.last_id, reader.flaw, reader.deep)
        except CallFailed as failure:
            # A call that is wrong in itself fails alone (protocol section 8).
            cid = self.last_id = failure.cid
            try:
                self._send_error(cid, failure.code, failure.message)
            finally:
                self.done_id = cid
            return
        self.last_id = cid
        self.method = method
        try:
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
                inp = self.inp = InputStream(self, cid)
                args[stream_at] = inp
                self.write(encode_credit(cid, inp.grant()))
            if entry.is_generator:
                self._run_stream(entry, args, kwargs, cid, window)
            else:
                self._run_plain(entry, args, kwargs, cid)
        finally:
            # Every path out of a call fenced: the state is FRAMEWORK and
            # the control thread injects nothing any more.
            self.current = 0
            self.done_id = cid
            if self.injected:
                self.settle()
            if self.inp is not None:
                self.inp.close()
                self.inp = None
            self.out = None
        if self.broken:
            raise self.broken

    def _run_plain(self, entry: Function, args: List[Any], kwargs: dict,
                   cid: int) -> None:
        try:
            self.state = USER
            if self.cancel_id == cid:
                raise Cancelled()
            value = entry.fn(*args, **kwargs)
            self.fence()
        except Cancelled:
            self.settle()
            self._send_cancelled(cid)
            return
        except ConnectionAbort:
            self.settle()
            raise
        except BaseException as exc:
            self.settle()
            if self.broken:
                raise self.broken
            if self.cancel_id == cid:
                self._send_cancelled(cid)
            else:
                self._send_exception(cid, entry, args, kwargs, exc)
            return
        if self.broken:
            raise self.broken
        self._send_result(cid, value)

    def _run_stream(self, entry: Function, args: List[Any], kwargs: dict,
                    cid: int, window: int) -> None:
        out = Output(self, cid, window)
        self.out = out
        box = out.box
        batch = out.batch
        it = None
        try:
            self.state = USER
            if self.cancel_id == cid:
                raise Cancelled()
            it = iter(entry.fn(*args, **kwargs))
            self.fence()
            # The loop below runs once per item: it keeps its state in
            # locals and touches ``out`` only where another thread looks.
            clock = time.perf_counter
            arm = flusher.arm
            take_back = box.pop
            append = batch.append
            queued = 0                  # items taken from the generator
            credit = out.credit
            cap = out.cap
            first = before = clock()
            while True:
                self.state = USER
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
                self.state = FRAMEWORK
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
                        out.flush()
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
                if (len(batch) >= cap or now - before > SLOW_NEXT
                        or now - first >= MAX_AGE):
                    self.fence()
                    out.flush()
                    cap = out.cap
                    batch = out.batch
                    append = batch.append
                    now = clock()
                before = now
            self.fence()
            if batch and box.pop(0, None) is None:
                out.batch = []
            out.flush()
            out.finish(encode_end(cid))
        except Cancelled:
            self.settle()
            self._abandon(out, it)
            if self.broken:
                raise self.broken
            out.finish(encode_error(cid, CANCELLED, "the call was cancelled"))
        except ConnectionAbort:
            self.settle()
            out.done = True
            self._close_quietly(it)
            raise
        except BaseException as exc:
            self.settle()
            if self.broken:
                out.done = True
                self._close_quietly(it)
                raise self.broken
            if self.cancel_id == cid and not isinstance(exc, CallFailed):
                self._abandon(out, it)
                out.finish(
                    encode_error(cid, CANCELLED, "the call was cancelled"))
                return
            if not isinstance(exc, CallFailed):
                # The items yielded before the exception go out first.
                try:
                    if batch and box.pop(0, None) is None:
                        out.batch = []
                    out.flush()
                except CallFailed as failure:
                    exc = failure
            self._abandon(out, it)
            with self.wlock:
                out.done = True
            self._send_exception(cid, entry, args, kwargs, exc)
        finally:
            out.done = True

    def _abandon(self, out: Output, it: Any) -> None:
        """Drop unsent items and close the generator (GeneratorExit)."""
        out.drop()
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


