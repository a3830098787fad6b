"""The worker's messages: one definition per message type and direction.

``encode_<type>`` builds the payload of each message the worker sends,
``decode_<type>`` checks the fields of each message it receives and returns
them, raising what docs/protocol.md section 8 asks for: ProtocolViolation
when the connection closes, CallFailed when the call fails alone (and
Unauthorized when the handshake refuses the peer, section 4). The sets of
names match the tables of docs/protocol.md sections 4-6 exactly (a test
parses them); nothing else here starts with ``encode_`` or ``decode_``.

A decoder gets a message the Reader (``_wire``) parsed: a JSON object whose
``type`` is a host -> worker type, whose attachments are read and whose
markers are resolved (``flaw`` says why one could not be, ``deep`` whether
a value may nest too deeply). The encoders of the messages sent for every
call or batch (result, chunk, credit) format bytes directly: they take the
encoded value, not the value.
"""

import json
from typing import Any, List, Optional, Tuple

from ._version import PROTOCOL_VERSION
from ._wire import (
    BAD_ARGUMENTS, INT64_MAX, PROTOCOL_ERROR, STREAM, TYPE_MISMATCH,
    CallFailed, ProtocolViolation,
    Unauthorized, clean_text, find_deep_value)

try:
    # The function behind hmac.compare_digest(), without loading OpenSSL
    # (``_hashlib``: 5-8 ms of every worker start) for one comparison.
    from _operator import _compare_digest
except ImportError:  # pragma: no cover - not CPython
    from hmac import compare_digest as _compare_digest

#: Output credit of a ``call`` without ``window`` (items).
DEFAULT_WINDOW = 1024

#: Longest ``text`` of a ``progress`` message (characters).
PROGRESS_TEXT_LIMIT = 1024


# --------------------------------------------------------------------------
# Worker -> host


#: What this worker takes beyond the protocol's first version (section 4).
FEATURES = b'["kwargs"]'

#: A call without keyword arguments (never changed).
_NO_KWARGS = {}  # type: dict


def encode_hello(conn: int, pid: int, python: Tuple[int, ...]) -> bytes:
    """The answer to an accepted ``hello`` (section 4); ``python`` is
    ``sys.version_info``."""
    return (b'{"type":"hello","version":%d,"conn":%d,"pid":%d,'
            b'"python":"%d.%d.%d","features":%s}'
            % ((PROTOCOL_VERSION, conn, pid) + tuple(python[:3])
               + (FEATURES,)))


def encode_result(cid: int, value: bytes, att: int = 0) -> bytes:
    """A ``result``: ``value`` is the JSON of the value, with ``att``
    attachments."""
    if att:
        return (b'{"type":"result","id":%d,"att":%d,"value":%s}'
                % (cid, att, value))
    return b'{"type":"result","id":%d,"value":%s}' % (cid, value)


def encode_chunk(cid: int, items: bytes, att: int = 0) -> bytes:
    """A ``chunk``: ``items`` is the JSON array of the items, with ``att``
    attachments."""
    if att:
        return (b'{"type":"chunk","id":%d,"att":%d,"items":%s}'
                % (cid, att, items))
    return b'{"type":"chunk","id":%d,"items":%s}' % (cid, items)


def encode_end(cid: int) -> bytes:
    """The ``end`` of call ``cid``'s output stream."""
    return b'{"type":"end","id":%d}' % cid


def encode_error(cid: Optional[int], code: str, message: str,
                 extra: Optional[dict] = None, limit: int = 65536) -> bytes:
    """An ``error`` (``cid`` None: without id, the connection closes).

    ``extra`` holds more text fields of the error object (``type``,
    ``traceback``); each text is cut to ``limit`` characters.
    """
    error = {"code": code, "message": clean_text(message, limit)}
    if extra:
        for key, text in extra.items():
            error[key] = clean_text(text, limit)
    msg = {"type": "error"}
    if cid is not None:
        msg["id"] = cid
    msg["error"] = error
    return json.dumps(msg, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def encode_credit(cid: int, n: int) -> bytes:
    """Input ``credit``: the host may send ``n`` more items."""
    return b'{"type":"credit","id":%d,"n":%d}' % (cid, n)


def encode_pong(seq: int) -> bytes:
    """The answer to ``ping`` ``seq``."""
    return b'{"type":"pong","seq":%d}' % seq


def _number(value: float) -> bytes:
    if type(value) is int:
        return b"%d" % value
    return repr(value).encode("ascii")


def encode_progress(cid: int, done: float, total: Optional[float],
                    text: Optional[str]) -> bytes:
    """A ``progress`` report of call ``cid``; the values were checked by
    ``gobridge.progress()`` (finite numbers, a string)."""
    out = b'{"type":"progress","id":%d,"done":%s' % (cid, _number(done))
    if total is not None:
        out += b',"total":%s' % _number(total)
    if text is not None:
        out += b',"text":' + json.dumps(
            clean_text(text, PROGRESS_TEXT_LIMIT),
            ensure_ascii=False).encode("utf-8")
    return out + b"}"


def encode_log(cid: Optional[int], record: dict, limit: int) -> bytes:
    """A ``log`` record (``cid`` None: not from a call). ``record`` holds
    the fields of docs/protocol.md section 6 (``log``); each text is cut
    to ``limit`` characters."""
    msg = {"type": "log"}
    if cid is not None:
        msg["id"] = cid
    for key, value in record.items():
        if value is None:
            continue
        if type(value) is str:
            value = clean_text(value, limit)
        msg[key] = value
    return json.dumps(msg, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


# --------------------------------------------------------------------------
# Host -> worker


def _positive_id(msg: dict, key: str = "id") -> int:
    value = msg.get(key)
    if type(value) is not int or not 0 < value <= INT64_MAX:
        raise ProtocolViolation("%s message needs a positive 64-bit integer "
                                "%r" % (msg.get("type"), key))
    return value


def _for_running_call(msg: dict, current: int, last_id: int) -> bool:
    """Whether a chunk, end, credit or cancel is for the running call.

    ``current`` is the running call's id (0 if none), ``last_id`` the last
    call id received. False: the frame is stale, drop it (section 5).
    """
    mid = _positive_id(msg)
    if mid == current:
        return True
    if mid > last_id:
        if current:
            raise ProtocolViolation("message for call %d while call %d runs"
                                    % (mid, current))
        raise ProtocolViolation("%s message for a call that did not start"
                                % msg["type"])
    return False


def _call_failure(cid: int, code: str, message: str) -> CallFailed:
    failure = CallFailed(code, message)
    failure.cid = cid
    return failure


def decode_hello(msg: dict, token: bytes) -> str:
    """The first message of a connection, checked against the pool's
    ``token``; returns the role (``"call"`` or ``"control"``).

    Raises Unauthorized or ProtocolViolation, in the order of section 4.
    """
    if msg.get("type") != "hello":
        raise ProtocolViolation("the first message must be hello")
    sent = msg.get("token")
    if not isinstance(sent, str) or not _compare_digest(
            sent.encode("utf-8", "surrogatepass"), token):
        raise Unauthorized("wrong or missing token")
    version = msg.get("version")
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise ProtocolViolation("unsupported protocol version %r (this "
                                "worker speaks %d)"
                                % (version, PROTOCOL_VERSION))
    role = msg.get("role")
    if role not in ("call", "control") or "att" in msg:
        raise ProtocolViolation("hello needs role \"call\" or \"control\" "
                                "and no attachments")
    return role


def decode_call(msg: dict, last_id: int, flaw: Optional[str],
                deep: bool) -> Tuple[int, str, List[Any], int, Any, dict]:
    """A ``call``: returns ``(id, method, args, window, stream_out,
    kwargs)``.

    ``stream_out`` is None when absent, ``kwargs`` empty. A bad or reused id
    raises ProtocolViolation; a call wrong in itself raises CallFailed whose
    ``cid`` is the call's id.
    """
    cid = msg.get("id")
    if type(cid) is not int or not last_id < cid <= INT64_MAX:
        raise ProtocolViolation("call ids must be 64-bit integers that "
                                "increase (%r after %d)" % (cid, last_id))
    method = msg.get("method")
    args = msg.get("args")
    window = msg.get("window", DEFAULT_WINDOW)
    stream_out = msg.get("stream_out")
    kwargs = msg.get("kwargs", _NO_KWARGS)
    if type(method) is not str or type(args) is not list:
        problem = "call needs a method string and an args array"
    elif type(kwargs) is not dict:
        problem = "kwargs must be an object"
    elif type(window) is not int or window < 0:
        problem = "window must be a non-negative integer"
    elif stream_out is not None and type(stream_out) is not bool:
        problem = "stream_out must be a boolean"
    else:
        problem = flaw
    if problem is not None:
        raise _call_failure(cid, PROTOCOL_ERROR, problem)
    if deep:
        problem = find_deep_value(args, "args")
        if problem is None and kwargs:
            problem = find_deep_value(kwargs, "kwargs")
        if problem is not None:
            raise _call_failure(cid, TYPE_MISMATCH, problem)
    if STREAM in kwargs.values():
        raise _call_failure(cid, BAD_ARGUMENTS, "a stream argument must be "
                            "positional, not a keyword argument")
    return cid, method, args, window, stream_out, kwargs


def decode_describe(msg: dict, last_id: int) -> int:
    """A ``describe``: returns its id (greater than ``last_id``)."""
    cid = _positive_id(msg)
    if cid <= last_id:
        raise ProtocolViolation("call ids must increase (%d after %d)"
                                % (cid, last_id))
    return cid


def decode_chunk(msg: dict, current: int, last_id: int, has_input: bool,
                 flaw: Optional[str]) -> Optional[list]:
    """Input items: the list for the running call ``current`` (which has
    a stream argument if ``has_input``), None if the chunk is stale."""
    if not _for_running_call(msg, current, last_id):
        return None
    if not has_input:
        raise CallFailed(PROTOCOL_ERROR, "input for a call without a stream "
                                         "argument")
    items = msg.get("items")
    if type(items) is not list:
        raise CallFailed(PROTOCOL_ERROR, "chunk needs an items array")
    if flaw is not None:
        raise CallFailed(PROTOCOL_ERROR, flaw)
    return items


def decode_end(msg: dict, current: int, last_id: int,
               has_input: bool) -> bool:
    """The end of the input: True if it ends the running call's input,
    False if it is stale."""
    if not _for_running_call(msg, current, last_id):
        return False
    if not has_input:
        raise CallFailed(PROTOCOL_ERROR, "input for a call without a stream "
                                         "argument")
    return True


def decode_credit(msg: dict, current: int, last_id: int) -> Optional[int]:
    """Output credit: ``n`` for the running call, None if stale."""
    if not _for_running_call(msg, current, last_id):
        return None
    count = msg.get("n")
    if type(count) is not int or count < 0:
        raise CallFailed(PROTOCOL_ERROR,
                         "credit needs a non-negative integer n")
    return count


def decode_cancel(msg: dict, current: Optional[int] = None,
                  last_id: int = 0) -> Any:
    """A ``cancel``, in either of its two forms (section 7).

    On the control connection (``current`` None) it returns ``(conn,
    id)``. On a call connection it returns True if it cancels the running
    call ``current``, False if it is stale.
    """
    if current is None:
        conn = _positive_id(msg, "conn")
        return conn, _positive_id(msg)
    return _for_running_call(msg, current, last_id)


def decode_ping(msg: dict) -> int:
    """A ``ping``: returns its ``seq``."""
    seq = msg.get("seq")
    if type(seq) is not int:
        raise ProtocolViolation("ping needs an integer seq")
    return seq
