"""Framing and value codec of the QGobridge wire protocol, version 1.

This module is internal. ``docs/protocol.md`` is the contract it implements:

* a frame is a 4-byte big-endian payload length followed by the payload;
* a message is a UTF-8 JSON object, optionally followed by ``att`` raw
  attachment frames that carry ``bytes`` values (``{"$bytes": i}`` markers);
* one-key objects whose key starts with ``$`` are markers; a user map of that
  shape travels escaped as ``{"$map": <the map>}``.

The encoder keeps the common case on the C fast path of :mod:`json` and only
walks a value in Python when the fast path reports (or may hide) a problem.
"""

import json
import json.encoder
import json.scanner
import math
import struct
from typing import Any, List, Optional, Tuple

PROTOCOL_VERSION = 1
DEFAULT_MAX_FRAME = 64 * 1024 * 1024

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

_HEADER = struct.Struct(">I")
pack_header = _HEADER.pack
_unpack_header = _HEADER.unpack

# Error codes of protocol section 7.
REMOTE_EXCEPTION = "RemoteException"
CANCELLED = "Cancelled"
UNKNOWN_METHOD = "UnknownMethod"
BAD_ARGUMENTS = "BadArguments"
TYPE_MISMATCH = "TypeMismatch"
FRAME_TOO_LARGE = "FrameTooLarge"
PROTOCOL_ERROR = "ProtocolError"
UNAUTHORIZED = "Unauthorized"

#: Message types a host may send to a worker.
HOST_TYPES = frozenset(
    ("hello", "call", "chunk", "end", "credit", "cancel", "describe", "ping"))


class ConnectionAbort(BaseException):
    """Base of the internal reasons to drop a connection.

    It derives from :class:`BaseException` because it may have to unwind
    through user code (an input iterator reading its socket), where an
    ``except Exception:`` must not swallow it.
    """


class ProtocolViolation(ConnectionAbort):
    """The peer broke the protocol: close this connection (and only it)."""


class ConnectionLost(ConnectionAbort):
    """The peer closed the connection or the socket failed."""


class CallFailed(BaseException):
    """A call fails with a protocol error code raised by the framework.

    Derived from :class:`BaseException` for the same reason as
    :class:`ConnectionAbort`: it may be raised inside user code.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.index = 0   # batch position of a bad stream item


# --------------------------------------------------------------------------
# Decoding


class _Marker:
    """A one-key ``$`` object seen by the JSON decoder, resolved later."""

    __slots__ = ("key", "value")

    def __init__(self, key: str, value: Any) -> None:
        self.key = key
        self.value = value


class _StreamMarker:
    """The value a ``{"$stream": 0}`` argument decodes to."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "STREAM"


#: Placeholder for a client-stream argument in a decoded ``call``.
STREAM = _StreamMarker()


def _marker_hook(obj: dict) -> Any:
    if len(obj) == 1:
        for key in obj:
            if key[:1] == "$":
                return _Marker(key, obj[key])
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError("%s is not allowed in protocol JSON" % name)


_plain_scan = json.scanner.make_scanner(
    json.JSONDecoder(parse_constant=_reject_constant))
_marker_scan = json.scanner.make_scanner(
    json.JSONDecoder(object_hook=_marker_hook,
                     parse_constant=_reject_constant))
_JSON_SPACE = " \t\n\r"


def _resolve(value: Any, atts: List[bytes]) -> Any:
    """Replace the markers left by :func:`_marker_hook` inside ``value``."""
    kind = type(value)
    if kind is list:
        for i, item in enumerate(value):
            if type(item) in _CONTAINERS:
                value[i] = _resolve(item, atts)
        return value
    if kind is dict:
        for key, item in value.items():
            if type(item) in _CONTAINERS:
                value[key] = _resolve(item, atts)
        return value
    if kind is _Marker:
        key = value.key
        inner = value.value
        if key == "$bytes":
            if type(inner) is not int or not 0 <= inner < len(atts):
                raise ProtocolViolation(
                    "$bytes marker %r names no attachment" % (inner,))
            return atts[inner]
        if key == "$map":
            if type(inner) is _Marker:
                return {inner.key: _resolve(inner.value, atts)}
            if type(inner) is dict:
                return _resolve(inner, atts)
            raise ProtocolViolation("$map marker does not hold an object")
        if key == "$stream":
            raise ProtocolViolation("$stream marker outside call arguments")
        raise ProtocolViolation("unknown marker %r" % key)
    return value


_CONTAINERS = (list, dict, _Marker)


def decode_payload(payload: bytes) -> Tuple[dict, bool]:
    """Parse a message frame; return the object and whether it had markers."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolViolation("invalid UTF-8: %s" % exc) from None
    if text[:1] != "{":
        text = text.lstrip(_JSON_SPACE)
        if text[:1] != "{":
            raise ProtocolViolation("a message must be a JSON object")
    has_markers = '"$' in text
    try:
        obj, end = (_marker_scan if has_markers else _plain_scan)(text, 0)
    except StopIteration:
        raise ProtocolViolation("invalid JSON") from None
    except (ValueError, RecursionError) as exc:
        raise ProtocolViolation("invalid JSON: %s" % exc) from None
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        raise ProtocolViolation("invalid JSON: extra data after the object")
    if type(obj) is not dict:
        raise ProtocolViolation("a message must be a JSON object")
    return obj, has_markers


def resolve_message(msg: dict, atts: List[bytes]) -> None:
    """Resolve markers in a decoded message in place.

    ``{"$stream": 0}`` is accepted only as a direct element of a ``call``'s
    ``args`` and becomes :data:`STREAM`.
    """
    args = msg.get("args") if msg.get("type") == "call" else None
    for key, value in msg.items():
        if value is args and type(args) is list:
            for i, arg in enumerate(args):
                if type(arg) is _Marker and arg.key == "$stream":
                    if arg.value != 0 or type(arg.value) is not int:
                        raise ProtocolViolation("$stream marker must be 0")
                    args[i] = STREAM
                elif type(arg) in _CONTAINERS:
                    args[i] = _resolve(arg, atts)
        elif type(value) in _CONTAINERS:
            msg[key] = _resolve(value, atts)


# --------------------------------------------------------------------------
# Framing


class Reader:
    """Reads frames and messages from a blocking stream socket."""

    __slots__ = ("_file", "max_frame")

    def __init__(self, sock, max_frame: int) -> None:
        self._file = sock.makefile("rb", buffering=65536)
        self.max_frame = max_frame

    def close(self) -> None:
        try:
            self._file.close()
        except OSError:
            pass

    def read_frame(self, first: bool = False) -> Optional[bytes]:
        """Return the next frame's payload, or None at a clean end of stream.

        ``first`` marks a frame that starts a message: only there is an end
        of stream clean.
        """
        read = self._file.read
        try:
            header = read(4)
        except OSError as exc:
            raise ConnectionLost(str(exc)) from None
        if len(header) != 4:
            if not header and first:
                return None
            raise ProtocolViolation("connection closed inside a frame header")
        (size,) = _unpack_header(header)
        if size > self.max_frame:
            raise ProtocolViolation(
                "frame of %d bytes exceeds the maximum of %d"
                % (size, self.max_frame))
        try:
            payload = read(size)
        except OSError as exc:
            raise ConnectionLost(str(exc)) from None
        if len(payload) != size:
            raise ProtocolViolation("connection closed inside a frame")
        return payload

    def read_message(self) -> Optional[dict]:
        """Return the next message with its markers resolved (None at EOF)."""
        read = self._file.read
        try:
            header = read(4)
            if len(header) != 4:
                if not header:
                    return None
                raise ProtocolViolation("connection closed inside a frame "
                                        "header")
            (size,) = _unpack_header(header)
            if size > self.max_frame:
                raise ProtocolViolation(
                    "frame of %d bytes exceeds the maximum of %d"
                    % (size, self.max_frame))
            payload = read(size)
        except OSError as exc:
            raise ConnectionLost(str(exc)) from None
        if len(payload) != size:
            raise ProtocolViolation("connection closed inside a frame")
        msg, has_markers = decode_payload(payload)
        mtype = msg.get("type")
        if mtype not in HOST_TYPES:
            raise ProtocolViolation("unknown message type %r" % (mtype,))
        count = msg.get("att")
        atts = []
        if count is not None:
            if type(count) is not int or count <= 0:
                raise ProtocolViolation("att must be a positive integer")
            for _ in range(count):
                atts.append(self.read_frame())
        if has_markers or atts:
            resolve_message(msg, atts)
        return msg


def write_message(sock, payload: bytes, atts: List[Any]) -> None:
    """Write one message frame and its attachment frames."""
    if not atts:
        if len(payload) <= 65536:
            sock.sendall(pack_header(len(payload)) + payload)
        else:
            sock.sendall(pack_header(len(payload)))
            sock.sendall(payload)
        return
    parts = [pack_header(len(payload)), payload]
    total = len(payload)
    for att in atts:
        parts.append(pack_header(len(att)))
        parts.append(att)
        total += len(att)
    if total <= 262144:
        sock.sendall(b"".join(parts))
    else:
        for part in parts:
            sock.sendall(part)


# --------------------------------------------------------------------------
# Encoding

_DIGITS = bytes(1 if 48 <= c <= 57 else 0 for c in range(256))
_LONG_DIGIT_RUN = b"\x01" * 19   # every int with 19+ digits is suspect
_SCALARS = (str, int, float, bool, type(None))
# A str at least this long may be quoted by _quote() instead of the json
# module's quoter, which costs ~5 ns per character in CPython 3.9-3.11; each
# `in` below is a memchr over an ASCII str, 34 of them ~0.5 ns per character.
_LONG_STR = 512
_NEEDS_ESCAPE = tuple(chr(c) for c in range(32)) + ('"', "\\")
_EXIT = object()   # stack entry: leaving a container (find_bad_value)


def type_name(value: Any) -> str:
    """Qualified type name of ``value`` (module omitted for builtins)."""
    kind = type(value)
    module = getattr(kind, "__module__", "builtins")
    if module == "builtins":
        return kind.__qualname__
    return "%s.%s" % (module, kind.__qualname__)


def _key_path(path: str, key: Any) -> str:
    if isinstance(key, str) and key.isidentifier():
        return "%s.%s" % (path, key)
    return "%s[%s]" % (path, json.dumps(key, ensure_ascii=False))


def find_bad_value(value: Any, path: str) -> Optional[str]:
    """Describe the first value under ``value`` the protocol cannot carry.

    Returns a message naming the value's path and type, or None.
    """
    stack = [(value, path)]
    active = set()    # ids of the containers on the current branch
    while stack:
        item, where = stack.pop()
        if item is _EXIT:
            active.discard(where)
            continue
        kind = type(item)
        if kind is bool or item is None:
            continue
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "%s: str contains an unpaired surrogate" % where
            continue
        if isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                return ("%s: int %d is outside the signed 64-bit range"
                        % (where, item))
            continue
        if isinstance(item, float):
            if math.isnan(item) or math.isinf(item):
                return ("%s: float %r cannot be sent (NaN and infinities "
                        "are not JSON)" % (where, item))
            continue
        if isinstance(item, (bytes, bytearray, memoryview)):
            continue
        if isinstance(item, (list, tuple, dict)):
            if id(item) in active:
                return "%s: circular reference (%s)" % (where, type_name(item))
            active.add(id(item))
            stack.append((_EXIT, id(item)))
            if isinstance(item, dict):
                children = []
                for key, child in item.items():
                    if not isinstance(key, _SCALARS):
                        return ("%s: map key of type %s is not a string"
                                % (where, type_name(key)))
                    children.append((child, _key_path(where, key)))
            else:
                children = [(child, "%s[%d]" % (where, i))
                            for i, child in enumerate(item)]
            stack.extend(reversed(children))
            continue
        return ("%s: value of type %s cannot be converted to JSON"
                % (where, type_name(item)))
    return None


def _escape(value: Any) -> Any:
    """Copy of ``value`` with one-key ``$`` maps wrapped in ``$map``."""
    if isinstance(value, dict):
        copy = {key: _escape(item) for key, item in value.items()}
        if len(copy) == 1:
            for key in copy:
                if isinstance(key, str) and key[:1] == "$":
                    return {"$map": copy}
        return copy
    if isinstance(value, (list, tuple)):
        return [_escape(item) for item in value]
    return value


class _Unencodable(TypeError):
    pass


def _quote(text: str, quote: Any) -> str:
    """JSON string literal of ``text``, as ``quote`` (the json quoter) makes it.

    A long ASCII str with nothing to escape is its own literal between
    quotes; anything else goes to ``quote``.
    """
    if (len(text) >= _LONG_STR and text.isascii()
            and not any(char in text for char in _NEEDS_ESCAPE)):
        return '"' + text + '"'
    return quote(text)


class Encoder:
    """Encodes values to JSON text plus attachments; one per thread.

    It drives the C encoder of :mod:`json` directly (the settings of
    ``json.dumps(..., ensure_ascii=False, allow_nan=False,
    separators=(",", ":"), check_circular=False)``), which saves building an
    encoder per message. Circular structures end in RecursionError, which
    the slow path reports.
    """

    __slots__ = ("_encode", "_atts", "_quote")

    def __init__(self) -> None:
        self._atts = []   # type: List[Any]
        make = getattr(json.encoder, "c_make_encoder", None)
        quote = getattr(json.encoder, "c_encode_basestring", None)
        self._quote = quote or json.encoder.py_encode_basestring
        if make is not None and quote is not None:
            encoder = make(None, self._default, quote, None, ":", ",",
                           False, False, False)
            self._encode = lambda value: "".join(encoder(value, 0))
        else:
            self._encode = json.JSONEncoder(
                ensure_ascii=False, allow_nan=False, check_circular=False,
                separators=(",", ":"), default=self._default).encode

    def _default(self, obj: Any) -> Any:
        if isinstance(obj, (bytes, bytearray)):
            self._atts.append(obj)
            return {"$bytes": len(self._atts) - 1}
        if isinstance(obj, memoryview):
            self._atts.append(obj.tobytes())
            return {"$bytes": len(self._atts) - 1}
        raise _Unencodable(type_name(obj))

    def encode(self, value: Any, path: str) -> Tuple[bytes, List[Any]]:
        """Encode ``value``; raise CallFailed(TypeMismatch) naming ``path``."""
        if type(value) is str and len(value) >= _LONG_STR:
            return self._utf8(_quote(value, self._quote), value, path), []
        self._atts = atts = []
        try:
            data = self._encode(value).encode("utf-8")
        except Exception as exc:
            raise self._mismatch(value, path, exc) from None
        # b'$' first: a one-byte search is a memchr, ~40x faster than the
        # three-byte one on large text without any '$'.
        if b"$" in data and data.count(b'{"$') != len(atts):
            # A user map looks like a marker: escape it (slow path).
            value = _escape(value)
            self._atts = atts = []
            data = self._encode(value).encode("utf-8")
        if _LONG_DIGIT_RUN in data.translate(_DIGITS):
            problem = find_bad_value(value, path)
            if problem is not None:
                raise CallFailed(TYPE_MISMATCH, problem)
        return data, atts

    def encode_items(self, items: list, base: int) -> Tuple[bytes, List[Any]]:
        """Encode a batch of stream items; paths read ``items[base + i]``.

        On failure the CallFailed's ``index`` is the position of the bad
        item in ``items`` (0 when unknown).
        """
        try:
            # A batch of long strs (text, documents) skips the json module's
            # quoter and the scans for markers and long ints: a str holds
            # neither.
            if (items and type(items[0]) is str and len(items[0]) >= _LONG_STR
                    and all(type(item) is str for item in items)):
                quote = self._quote
                text = "[" + ",".join([_quote(item, quote) for item in items]) + "]"
                return self._utf8(text, items, "items"), []
            return self.encode(items, "items")
        except CallFailed as failure:
            for i, item in enumerate(items):
                problem = find_bad_value(item, "items[%d]" % (base + i))
                if problem is not None:
                    bad = CallFailed(TYPE_MISMATCH, problem)
                    bad.index = i
                    raise bad from None
            raise failure

    def _utf8(self, text: str, value: Any, path: str) -> bytes:
        """``text`` (the JSON of ``value``) as UTF-8; a lone surrogate fails."""
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise self._mismatch(value, path, exc) from None

    @staticmethod
    def _mismatch(value: Any, path: str, exc: BaseException) -> CallFailed:
        try:
            problem = find_bad_value(value, path)
        except RecursionError:
            problem = None
        if problem is None:
            if isinstance(exc, RecursionError):
                problem = "%s: value is nested too deeply" % path
            else:
                problem = "%s: cannot be converted to JSON: %s" % (path, exc)
        return CallFailed(TYPE_MISMATCH, problem)


def clean_text(text: str, limit: int) -> str:
    """``text`` made UTF-8 safe and cut to at most ``limit`` characters."""
    if len(text) > limit:
        text = text[:limit] + "... [truncated]"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_payload(cid: Optional[int], code: str, message: str,
                  extra: Optional[dict] = None, limit: int = 65536) -> bytes:
    """Payload of an ``error`` message (``cid`` None: no id, handshake)."""
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
