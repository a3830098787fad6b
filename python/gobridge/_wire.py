"""Framing and value codec of the QGobridge wire protocol, version 1.

This module is internal. ``docs/protocol.md`` is the contract it implements:

* a frame is a 4-byte big-endian payload length followed by the payload;
* a message is a UTF-8 JSON object, optionally followed by ``att`` raw
  attachment frames that carry ``bytes`` values (``{"$bytes": i}`` markers);
* one-key objects whose key starts with ``$`` are markers; a user map of that
  shape travels escaped as ``{"$map": <the map>}``.

The encoder keeps the common case on the C fast path of :mod:`json` and only
walks a value in Python when the fast path reports (or may hide) a problem.
The decoder does the same for repeated keys and deep nesting, which the
:mod:`json` module does not report: it counts instead (see :class:`Decoder`).
"""

import json
import json.encoder
import json.scanner
import io
import math
import re
import select
import struct
from typing import Any, Callable, List, Optional, Tuple

# Written once, in _version.py; importable from here as well.
from ._version import PROTOCOL_VERSION  # noqa: F401

DEFAULT_MAX_FRAME = 64 * 1024 * 1024

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

#: Most containers (lists, maps) a value may nest, counted from the value:
#: ``1`` has depth 0, ``[1]`` depth 1, ``[[1]]`` depth 2 (protocol section 3).
MAX_DEPTH = 200
#: Most levels of JSON objects and arrays in a message a reader accepts,
#: counting the message object and the marker objects.
MAX_JSON_DEPTH = 512

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

#: Message types a host may send to a worker (the decoders of _messages).
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


class Unauthorized(ConnectionAbort):
    """The handshake refuses the peer with ``Unauthorized`` (protocol
    section 4)."""


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
        # The failing call's id, for a catcher that cannot know it yet (a
        # call that _messages.decode_call refuses).
        self.cid = None  # type: Optional[int]


# --------------------------------------------------------------------------
# Decoding


class _Marker:
    """A one-key ``$`` object seen by the JSON decoder, resolved later."""

    __slots__ = ("key", "value")

    def __init__(self, key: str, value: Any) -> None:
        self.key = key
        self.value = value

    def __repr__(self) -> str:
        return "{%r: %r}" % (self.key, self.value)


class _StreamMarker:
    """The value a ``{"$stream": 0}`` argument decodes to."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "STREAM"


#: Placeholder for a client-stream argument in a decoded ``call``.
STREAM = _StreamMarker()


def _reject_constant(name: str) -> Any:
    raise ValueError("%s is not allowed in protocol JSON" % name)


def _make_scanner(**hooks: Any) -> Any:
    """The C scanner of :mod:`json` with ``hooks`` and no NaN/Infinity."""
    return json.scanner.make_scanner(
        json.JSONDecoder(parse_constant=_reject_constant, **hooks))


def _unique_object(pairs: List[Tuple[str, Any]]) -> dict:
    """``object_pairs_hook`` that refuses a repeated key."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise ProtocolViolation(
                    "the key %s is repeated in an object"
                    % json.dumps(key, ensure_ascii=False))
            seen.add(key)
    return obj


# Parses again, pair by pair, a payload whose keys the count cannot clear.
_unique_scan = _make_scanner(object_pairs_hook=_unique_object)
_JSON_SPACE = " \t\n\r"
_JSON_SPACE_BYTES = b" \t\n\r"
# A message whose text is shorter than this cannot nest a value deeper than
# MAX_DEPTH: that takes MAX_DEPTH + 3 levels of JSON (with the message and
# the args or items array), two bytes each.
_SHALLOW_MESSAGE = 2 * (MAX_DEPTH + 3)
_NOT_STRUCTURE = bytes(range(256)).translate(None, b'"[]{}')
_TO_SQUARE = bytes.maketrans(b"{}", b"[]")
_STRING_MARKS = re.compile(rb'"[^"]*"')


def json_height(text: bytes, cap: int) -> int:
    """How many levels of arrays and objects the valid JSON ``text`` nests.

    Returns ``cap + 1`` for anything deeper than ``cap``. It works on the
    bytes at C speed: it drops the escaped backslashes and quotes (then the
    quotes left delimit the strings), keeps only quotes and brackets, drops
    the strings (in the common case each one is a pair of adjacent quotes
    by then) and strips the innermost pairs of brackets, one level per
    pass.
    """
    if b"\\" in text:
        text = text.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = text.translate(None, _NOT_STRUCTURE)
    if marks.count(b'""') * 2 != marks.count(b'"'):
        # Some strings hold brackets. Dropping the adjacent quotes first (an
        # empty string, or the end of one string and the start of the next)
        # leaves fewer strings to drop, still delimited by the quotes left.
        marks = _STRING_MARKS.sub(b"", marks.replace(b'""', b""))
    levels = marks.translate(_TO_SQUARE, b'"')
    height = 0
    while levels and height <= cap:
        levels = levels.replace(b"[]", b"")
        height += 1
    return height


class Decoder:
    """Parses message payloads: one per thread (the hooks share a list).

    The :mod:`json` module keeps the last value of a repeated key. Checking
    pair by pair (``object_pairs_hook``) adds ~60% to the decoding time of
    a list of small dicts; counting adds ~15-20%: a hook only collects the
    decoded objects, and every key of a JSON object is followed by a colon,
    so a payload with as many colons as the objects have entries repeats no
    key. Colons inside strings (times, URLs) spoil that count; without
    whitespace, every key's closing quote precedes its colon, which counts
    those keys alone (~35% in all). Only a payload that fails both counts
    (a repeated key, or strings holding ``":``) is parsed once more, pair
    by pair.
    """

    __slots__ = ("_objects", "_plain_scan", "_marker_scan")

    def __init__(self) -> None:
        objects = []   # type: List[dict]
        keep = objects.append

        def plain_hook(obj: dict) -> dict:
            keep(obj)
            return obj

        def marker_hook(obj: dict) -> Any:
            keep(obj)
            if len(obj) == 1:
                for key in obj:
                    if key[:1] == "$":
                        return _Marker(key, obj[key])
            return obj

        self._objects = objects
        self._plain_scan = _make_scanner(object_hook=plain_hook)
        self._marker_scan = _make_scanner(object_hook=marker_hook)

    def decode(self, payload: bytes) -> Tuple[dict, bool, bool]:
        """Parse a message frame.

        Returns the object, whether it has markers and whether a value in
        it may nest deeper than MAX_DEPTH (its JSON nests deeper than
        MAX_DEPTH + 2 levels). Raises ProtocolViolation for anything but a
        JSON object, for a repeated key and for JSON nested deeper than
        MAX_JSON_DEPTH levels.
        """
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolViolation("invalid UTF-8: %s" % exc) from None
        if text[:1] != "{":
            text = text.lstrip(_JSON_SPACE)
            if text[:1] != "{":
                raise ProtocolViolation("a message must be a JSON object")
        has_markers = '"$' in text
        objects = self._objects
        try:
            obj, end = (self._marker_scan if has_markers
                        else self._plain_scan)(text, 0)
            # Most messages are one object (sum() would take 5x longer).
            entries = (len(objects[0]) if len(objects) == 1
                       else sum(map(len, objects)))
        except StopIteration:
            raise ProtocolViolation("invalid JSON") from None
        except RecursionError:
            raise ProtocolViolation("the message nests too deeply to "
                                    "decode") from None
        except ValueError as exc:
            raise ProtocolViolation("invalid JSON: %s" % exc) from None
        finally:
            objects.clear()
        if end != len(text) and text[end:].strip(_JSON_SPACE):
            raise ProtocolViolation("invalid JSON: extra data after the "
                                    "object")
        if type(obj) is not dict:
            raise ProtocolViolation("a message must be a JSON object")
        if (payload.count(b":") != entries
                and payload.translate(None, _JSON_SPACE_BYTES).count(b'":')
                != entries):
            _unique_scan(text, 0)
        deep = False
        if len(payload) >= _SHALLOW_MESSAGE:
            height = json_height(payload, MAX_JSON_DEPTH)
            if height > MAX_JSON_DEPTH:
                raise ProtocolViolation("the message nests deeper than %d "
                                        "levels" % MAX_JSON_DEPTH)
            deep = height > MAX_DEPTH + 2
        return obj, has_markers, deep


def _resolve(value: Any, atts: List[bytes]) -> Any:
    """Replace the markers left by the decoder's hook inside ``value``."""
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


def _resolve_argument(arg: Any, atts: List[bytes]) -> Any:
    """One argument of a call, its markers resolved."""
    if type(arg) is _Marker and arg.key == "$stream":
        if arg.value != 0 or type(arg.value) is not int:
            raise ProtocolViolation("$stream marker must be 0")
        return STREAM
    if type(arg) in _CONTAINERS:
        return _resolve(arg, atts)
    return arg


def resolve_message(msg: dict, atts: List[bytes]) -> None:
    """Resolve the markers in the values of a message, in place.

    The values are the ``args`` and ``kwargs`` of a ``call`` and the
    ``items`` of a ``chunk``; other fields carry none (a marker there stays a
    marker, which no field check accepts). ``{"$stream": 0}`` is accepted
    only as a direct element of ``args`` or value of ``kwargs`` and becomes
    :data:`STREAM` (which decode_call refuses in ``kwargs``).
    """
    mtype = msg.get("type")
    if mtype == "call":
        args = msg.get("args")
        if type(args) is list:
            for i, arg in enumerate(args):
                args[i] = _resolve_argument(arg, atts)
        kwargs = msg.get("kwargs")
        if type(kwargs) is _Marker and kwargs.key == "$map":
            kwargs = msg["kwargs"] = _resolve(kwargs, atts)
        if type(kwargs) is dict:
            for name, arg in kwargs.items():
                kwargs[name] = _resolve_argument(arg, atts)
    elif mtype == "chunk":
        items = msg.get("items")
        if type(items) is list:
            _resolve(items, atts)


# --------------------------------------------------------------------------
# Framing


def input_waiter(sock) -> Callable[[], Any]:
    """A function that returns once ``sock`` has input (or is closed).

    A thread blocked in ``recv()`` on a Unix stream socket sleeps on the
    socket's one wait queue, which the kernel also wakes when the peer
    consumes what this side wrote (room to write again). A worker writes
    an answer and then waits for the next call: the host's reading of
    that answer woke the waiting thread for nothing, about two wake-ups
    in three calls under load (docs/performance.md). ``poll()`` waits for
    input only. Where the platform has no ``poll()``, the function returns
    at once and ``recv()`` waits as before.
    """
    if not hasattr(select, "poll"):
        return lambda: None
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return poller.poll      # POLLHUP, POLLERR: the recv() after it tells


class _PolledSocket(io.RawIOBase):
    """The raw side of a :class:`Reader`: waits for input with
    :func:`input_waiter`, then reads what came."""

    def __init__(self, sock) -> None:
        io.RawIOBase.__init__(self)
        self._sock = sock
        self._wait = input_waiter(sock)

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        self._wait()
        return self._sock.recv_into(buf)


class Reader:
    """Reads frames and messages from a blocking stream socket.

    After each message, ``flaw`` describes a marker in its values that
    cannot be resolved (None if there is none) and ``deep`` tells whether a
    value in it may nest deeper than MAX_DEPTH: both concern one call only,
    so the caller answers them for that call.
    """

    __slots__ = ("_file", "max_frame", "_decoder", "flaw", "deep")

    def __init__(self, sock, max_frame: int) -> None:
        self._file = io.BufferedReader(_PolledSocket(sock), 65536)
        self.max_frame = max_frame
        self._decoder = Decoder()
        self.flaw = None    # type: Optional[str]
        self.deep = False

    def close(self) -> None:
        try:
            self._file.close()
        except OSError:
            pass

    def decode(self, payload: bytes) -> dict:
        """Parse a payload read with :meth:`read_frame` (markers left)."""
        return self._decoder.decode(payload)[0]

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
        msg, has_markers, self.deep = self._decoder.decode(payload)
        mtype = msg.get("type")
        if type(mtype) is not str or mtype not in HOST_TYPES:
            raise ProtocolViolation("unknown message type %r" % (mtype,))
        atts = []
        if "att" in msg:
            count = msg["att"]
            if type(count) is not int or count <= 0:
                raise ProtocolViolation("att must be a positive integer")
            for _ in range(count):
                atts.append(self.read_frame())
        self.flaw = None
        if has_markers or atts:
            try:
                resolve_message(msg, atts)
            except ProtocolViolation as exc:
                self.flaw = str(exc)
        return msg


def too_large(payload: bytes, atts: List[Any], limit: int) -> bool:
    """Whether a message or one of its attachments exceeds ``limit``."""
    return len(payload) > limit or any(len(a) > limit for a in atts)


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


def _too_deep(path: str) -> str:
    """The message for a container at ``path`` beyond MAX_DEPTH levels.

    Such a path is at least MAX_DEPTH components long: a long one keeps
    its start (which names the value) and its end.
    """
    if len(path) > 120:
        path = path[:60] + "..." + path[-40:]
    return "%s: nested deeper than %d levels" % (path, MAX_DEPTH)


def find_bad_value(value: Any, path: str,
                   levels: int = MAX_DEPTH) -> Optional[str]:
    """Describe the first value under ``value`` the protocol cannot carry.

    Returns a message naming the value's path and type, or None. Containers
    may nest ``levels`` deep (``value`` itself is the first level).
    """
    stack = [(value, path, 0)]
    active = set()    # ids of the containers on the current branch
    while stack:
        item, where, depth = stack.pop()
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
            depth += 1
            if depth > levels:
                return _too_deep(where)
            active.add(id(item))
            stack.append((_EXIT, id(item), 0))
            if isinstance(item, dict):
                children = []
                for key, child in item.items():
                    if not isinstance(key, _SCALARS):
                        return ("%s: map key of type %s is not a string"
                                % (where, type_name(key)))
                    children.append((child, _key_path(where, key), depth))
            else:
                children = [(child, "%s[%d]" % (where, i), depth)
                            for i, child in enumerate(item)]
            stack.extend(reversed(children))
            continue
        return ("%s: value of type %s cannot be converted to JSON"
                % (where, type_name(item)))
    return None


def find_deep_value(values: List[Any], name: str,
                    base: int = 0) -> Optional[str]:
    """Describe the first decoded value nested deeper than MAX_DEPTH.

    ``values`` are the arguments of a call or the input items of a chunk,
    named ``name[base + i]``, or a call's keyword arguments (a dict), named
    ``name.key``. Returns the message naming the path of the first container
    beyond the limit, or None.
    """
    if isinstance(values, dict):
        starts = [(value, _key_path(name, key))
                  for key, value in values.items()]
    else:
        starts = [(value, "%s[%d]" % (name, base + i))
                  for i, value in enumerate(values)]
    for value, start in starts:
        stack = [(value, start, 1)]
        while stack:
            item, where, depth = stack.pop()
            kind = type(item)
            if kind is not list and kind is not dict:
                continue
            if depth > MAX_DEPTH:
                return _too_deep(where)
            depth += 1
            if kind is dict:
                children = [(child, _key_path(where, key), depth)
                            for key, child in item.items()]
            else:
                children = [(child, "%s[%d]" % (where, j), depth)
                            for j, child in enumerate(item)]
            stack.extend(reversed(children))
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

    def encode(self, value: Any, path: str,
               outer: int = 0) -> Tuple[bytes, List[Any]]:
        """Encode ``value``; raise CallFailed(TypeMismatch) naming ``path``.

        ``outer`` levels of containers around the values (1 for a batch of
        stream items) do not count towards MAX_DEPTH.
        """
        if type(value) is str and len(value) >= _LONG_STR:
            return self._utf8(_quote(value, self._quote), value, path), []
        levels = MAX_DEPTH + outer
        self._atts = atts = []
        try:
            data = self._encode(value).encode("utf-8")
        except Exception as exc:
            raise self._mismatch(value, path, exc, levels) from None
        # Only a text of 2 * (levels + 1) bytes can nest deeper than levels.
        # Markers add levels of JSON: the value itself decides.
        if len(data) > 2 * levels + 1 and json_height(data, levels) > levels:
            problem = find_bad_value(value, path, levels)
            if problem is not None:
                raise CallFailed(TYPE_MISMATCH, problem)
        # b'$' first: a one-byte search is a memchr, ~40x faster than the
        # three-byte one on large text without any '$'.
        if b"$" in data and data.count(b'{"$') != len(atts):
            # A user map looks like a marker: escape it (slow path).
            value = _escape(value)
            self._atts = atts = []
            data = self._encode(value).encode("utf-8")
        if _LONG_DIGIT_RUN in data.translate(_DIGITS):
            problem = find_bad_value(value, path, levels)
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
            return self.encode(items, "items", 1)
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
    def _mismatch(value: Any, path: str, exc: BaseException,
                  levels: int = MAX_DEPTH) -> CallFailed:
        problem = find_bad_value(value, path, levels)
        if problem is None:
            problem = "%s: cannot be converted to JSON: %s" % (path, exc)
        return CallFailed(TYPE_MISMATCH, problem)


def clean_text(text: str, limit: int) -> str:
    """``text`` made UTF-8 safe and cut to at most ``limit`` characters."""
    if len(text) > limit:
        text = text[:limit] + "... [truncated]"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
