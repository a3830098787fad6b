"""The worker's messages (gobridge._messages, in process) against
docs/protocol.md: one encoder per message the worker sends, one decoder per
message it receives, and each encoder's output read back."""

import json
import os
import re
import socket
import unittest

from gobridge import _messages, _wire
from gobridge._wire import (
    CallFailed, ProtocolViolation, STREAM, Unauthorized)

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOCOL_MD = os.path.join(HERE, "..", "..", "docs", "protocol.md")

_TYPE_ROW = re.compile(r"^\| `([a-z_]+)` \| (.*?) \|")
_CONTROL_ROW = re.compile(
    r"^\| (host -> worker|worker -> host) \| `([a-z_]+)` \| (.*?) \|")
_FIELD = re.compile(r"`([a-z_]+)`")


def documented():
    """What docs/protocol.md lists, read as the C++ test reads it.

    Returns ``(host_to_worker, worker_to_host, fields, hello_blocks)``: two
    sets of message types (the tables of sections 5 and 6; ``hello`` goes
    both ways when section 4 shows both of its JSON examples), the
    backquoted field names of each worker -> host row and the JSON examples
    of section 4 that are hello messages.
    """
    host, worker, fields = set(), set(), {}
    hellos = []
    section = None
    chapter = ""
    with open(PROTOCOL_MD, encoding="utf-8") as doc:
        for line in doc.read().split("\n"):
            if line.startswith("## "):
                chapter = line
                section = None
            elif line == "### Host -> worker":
                section = host
            elif line == "### Worker -> host":
                section = worker
            elif line.startswith("### "):
                section = None
            if chapter.startswith("## 4.") and line.startswith(
                    '{"type": "hello"'):
                hellos.append(json.loads(line))
            if section is not None:
                match = _TYPE_ROW.match(line)
                if match:
                    section.add(match.group(1))
                    if section is worker:
                        fields[match.group(1)] = set(
                            _FIELD.findall(match.group(2)))
            if chapter.startswith("## 6."):
                match = _CONTROL_ROW.match(line)
                if match:
                    if match.group(1) == "host -> worker":
                        host.add(match.group(2))
                    else:
                        worker.add(match.group(2))
                        fields[match.group(2)] = set(
                            _FIELD.findall(match.group(3)))
    if len(hellos) >= 2:
        host.add("hello")
        worker.add("hello")
    return host, worker, fields, hellos


def names(prefix):
    return {name[len(prefix):] for name in dir(_messages)
            if name.startswith(prefix)}


class DocumentTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.host, cls.worker, cls.fields, cls.hellos = documented()

    def test_document_parses(self):
        self.assertIn("call", self.host)
        self.assertIn("ping", self.host)
        self.assertIn("result", self.worker)
        self.assertIn("pong", self.worker)
        self.assertEqual(len(self.hellos), 2)

    def test_an_encoder_per_message_the_worker_sends(self):
        self.assertEqual(names("encode_"), self.worker)

    def test_a_decoder_per_message_the_worker_receives(self):
        self.assertEqual(names("decode_"), self.host)
        # The Reader accepts exactly those types.
        self.assertEqual(set(_wire.HOST_TYPES), self.host)

    def test_only_functions(self):
        for name in dir(_messages):
            if name.startswith(("encode_", "decode_")):
                self.assertTrue(callable(getattr(_messages, name)), name)

    def test_encoders_write_the_documented_fields(self):
        samples = {
            "result": _messages.encode_result(5, b"[1,2]"),
            "chunk": _messages.encode_chunk(5, b"[1,2]"),
            "end": _messages.encode_end(5),
            "error": _messages.encode_error(5, "Cancelled", "cancelled"),
            "credit": _messages.encode_credit(5, 10),
            "pong": _messages.encode_pong(3),
            "progress": _messages.encode_progress(5, 1.5, 10, "text"),
            # The control connection's row (section 6): without id.
            "log": _messages.encode_log(None, FULL_RECORD, 100),
        }
        self.assertEqual(set(samples), self.worker - {"hello"})
        for mtype, payload in samples.items():
            msg = json.loads(payload.decode("utf-8"))
            self.assertEqual(msg["type"], mtype)
            self.assertEqual(set(msg) - {"type"}, self.fields[mtype], mtype)
        # The worker's hello has the fields of section 4's second example.
        hello = json.loads(_messages.encode_hello(3, 4711, (3, 11, 7)))
        self.assertEqual(set(hello), set(self.hellos[1]))


#: A log record with every field of docs/protocol.md section 6.
FULL_RECORD = {"level": 30, "logger": "app.db", "message": "slow query",
               "exc": "Traceback ...", "file": "/w/worker.py", "line": 12,
               "func": "query", "thread": "MainThread", "time": 1.5e9}


def read_back(payload, atts=()):
    """``payload`` and ``atts`` through the worker's own Reader."""
    a, b = socket.socketpair()
    reader = _wire.Reader(b, _wire.DEFAULT_MAX_FRAME)
    try:
        _wire.write_message(a, payload, list(atts))
        return reader.read_message(), reader
    finally:
        reader.close()
        a.close()
        b.close()


class RoundTripTest(unittest.TestCase):
    """Each encoder's output, read back by the worker's decoder where it
    has one for that type and by ``json.loads`` otherwise."""

    def test_every_payload_is_a_message_the_worker_could_read(self):
        # Valid UTF-8 JSON objects with no repeated key (the Decoder checks).
        for payload in (
                _messages.encode_hello(1, 2, (3, 9, 18)),
                _messages.encode_result(1, b'{"a":1}'),
                _messages.encode_result(1, b'{"$bytes":0}', 1),
                _messages.encode_chunk(1, b"[1]"),
                _messages.encode_chunk(1, b'[{"$bytes":0}]', 1),
                _messages.encode_end(1),
                _messages.encode_error(1, "RemoteException", "x",
                                       {"type": "E", "traceback": "t"}),
                _messages.encode_error(None, "ProtocolError", "x"),
                _messages.encode_credit(1, 2),
                _messages.encode_pong(-5),
                _messages.encode_progress(1, 2, None, None),
                _messages.encode_progress(1, 0.25, 1e300, "ü\ud800"),
                _messages.encode_log(3, FULL_RECORD, 10),
                _messages.encode_log(None, {"level": 20, "logger": "a",
                                            "message": "\x00", "exc": None},
                                     10)):
            msg = _wire.Decoder().decode(payload)[0]
            self.assertIsInstance(msg["type"], str)

    def test_chunk(self):
        encoder = _wire.Encoder()
        items = [1, "ü", None, {"k": [2.5, True]}, b"raw", {"$x": 1}]
        data, atts = encoder.encode_items(items, 0)
        payload = _messages.encode_chunk(7, data, len(atts))
        msg, reader = read_back(payload, atts)
        self.assertEqual(
            _messages.decode_chunk(msg, 7, 7, True, reader.flaw), items)
        self.assertIsNone(_messages.decode_chunk(msg, 8, 8, True, None))

    def test_end(self):
        msg, _ = read_back(_messages.encode_end(7))
        self.assertIs(_messages.decode_end(msg, 7, 7, True), True)
        self.assertIs(_messages.decode_end(msg, 0, 9, False), False)

    def test_credit(self):
        for n in (0, 1, 1024, _wire.INT64_MAX):
            msg, _ = read_back(_messages.encode_credit(7, n))
            self.assertEqual(_messages.decode_credit(msg, 7, 7), n)
        self.assertIsNone(_messages.decode_credit(msg, 8, 8))

    def test_hello(self):
        payload = _messages.encode_hello(3, 4711, (3, 11, 7, "final", 0))
        msg, _ = read_back(payload)
        self.assertEqual(msg, {"type": "hello", "version": 1, "conn": 3,
                               "pid": 4711, "python": "3.11.7",
                               "features": ["kwargs"]})
        # The worker's hello is not a host's: it has no token or role.
        with self.assertRaises(Unauthorized):
            _messages.decode_hello(msg, b"secret")
        host = dict(msg, token="secret", role="control")
        self.assertEqual(_messages.decode_hello(host, b"secret"), "control")

    def test_result(self):
        self.assertEqual(json.loads(_messages.encode_result(9, b'"x"')),
                         {"type": "result", "id": 9, "value": "x"})
        self.assertEqual(
            json.loads(_messages.encode_result(9, b'[{"$bytes":0}]', 1)),
            {"type": "result", "id": 9, "att": 1, "value": [{"$bytes": 0}]})

    def test_chunk_json(self):
        self.assertEqual(
            json.loads(_messages.encode_chunk(9, b'[{"$bytes":0}]', 1)),
            {"type": "chunk", "id": 9, "att": 1, "items": [{"$bytes": 0}]})

    def test_error(self):
        self.assertEqual(
            json.loads(_messages.encode_error(4, "Cancelled", "gone")),
            {"type": "error", "id": 4,
             "error": {"code": "Cancelled", "message": "gone"}})
        self.assertEqual(
            json.loads(_messages.encode_error(
                None, "Unauthorized", "wrong or missing token")),
            {"type": "error", "error": {"code": "Unauthorized",
                                        "message": "wrong or missing token"}})
        msg = json.loads(_messages.encode_error(
            4, "RemoteException", "\udcff" + "m" * 20,
            {"type": "ValueError", "traceback": "t" * 30}, 10))
        error = msg["error"]
        self.assertEqual(error["type"], "ValueError")
        self.assertEqual(error["message"],
                         "\\udcff" + "m" * 9 + "... [truncated]")
        self.assertEqual(error["traceback"], "t" * 10 + "... [truncated]")

    def test_pong(self):
        self.assertEqual(json.loads(_messages.encode_pong(2 ** 70)),
                         {"type": "pong", "seq": 2 ** 70})


class DecodeTest(unittest.TestCase):
    """The checks of docs/protocol.md sections 4 and 8, one decoder at a
    time."""

    def failure(self, code, func, *args):
        with self.assertRaises(CallFailed) as ctx:
            func(*args)
        self.assertEqual(ctx.exception.code, code)
        return ctx.exception

    def test_hello_checks_in_order(self):
        token = b"t0k"
        good = {"type": "hello", "version": 1, "token": "t0k", "role": "call"}
        self.assertEqual(_messages.decode_hello(good, token), "call")
        refusals = [
            (dict(good, type="call", token="no"), ProtocolViolation),
            (dict(good, token="no", version=2), Unauthorized),
            (dict(good, token=5), Unauthorized),
            ({"type": "hello", "version": 1, "role": "call"}, Unauthorized),
            (dict(good, version=2, role="x"), ProtocolViolation),
            (dict(good, version=True), ProtocolViolation),
            (dict(good, role="admin"), ProtocolViolation),
            (dict(good, att=1), ProtocolViolation),
        ]
        for msg, exc in refusals:
            with self.assertRaises(exc, msg=msg):
                _messages.decode_hello(msg, token)

    def test_call(self):
        msg = {"type": "call", "id": 4, "method": "f", "args": [1, STREAM]}
        self.assertEqual(_messages.decode_call(msg, 3, None, False),
                         (4, "f", [1, STREAM], 1024, None, {}))
        msg = dict(msg, window=0, stream_out=True)
        self.assertEqual(_messages.decode_call(msg, 0, None, True),
                         (4, "f", [1, STREAM], 0, True, {}))
        named = dict(msg, kwargs={"scale": 2.5, "tags": ["a"]})
        self.assertEqual(_messages.decode_call(named, 0, None, True)[5],
                         {"scale": 2.5, "tags": ["a"]})
        failure = self.failure("BadArguments", _messages.decode_call,
                               dict(msg, kwargs={"items": STREAM}), 3, None,
                               False)
        self.assertIn("positional", failure.message)
        for cid in (4, 3, 0, -1, "5", 5.0, True, 2 ** 63, None):
            with self.assertRaises(ProtocolViolation, msg=cid):
                _messages.decode_call(dict(msg, id=cid), 4, None, False)
        for bad in ({"method": 1}, {"args": {}}, {"window": -1},
                    {"window": 1.5}, {"stream_out": 1}, {"kwargs": []},
                    {"kwargs": None}, {"kwargs": "a=1"}):
            failure = self.failure("ProtocolError", _messages.decode_call,
                                   dict(msg, **bad), 3, None, False)
            self.assertEqual(failure.cid, 4)
        failure = self.failure("ProtocolError", _messages.decode_call,
                               msg, 3, "unknown marker '$x'", False)
        self.assertEqual((failure.cid, failure.message),
                         (4, "unknown marker '$x'"))
        deep = dict(msg, args=[0, [[[0]]]])
        self.assertEqual(_messages.decode_call(deep, 3, None, True)[2],
                         [0, [[[0]]]])
        too_deep = [0]
        for _ in range(_wire.MAX_DEPTH):
            too_deep = [too_deep]
        failure = self.failure("TypeMismatch", _messages.decode_call,
                               dict(msg, args=[too_deep]), 3, None, True)
        self.assertTrue(failure.message.startswith("args[0][0]"))
        self.assertEqual(failure.cid, 4)
        failure = self.failure("TypeMismatch", _messages.decode_call,
                               dict(msg, kwargs={"deep": too_deep}), 3, None,
                               True)
        self.assertTrue(failure.message.startswith("kwargs.deep[0]"),
                        failure.message)

    def test_describe(self):
        self.assertEqual(
            _messages.decode_describe({"type": "describe", "id": 2}, 1), 2)
        for cid in (1, 0, "2"):
            with self.assertRaises(ProtocolViolation):
                _messages.decode_describe({"type": "describe", "id": cid}, 1)

    def test_call_traffic_ids(self):
        # current 5 runs (last id 5); no call runs after 7 ended.
        for current, last_id in ((5, 5), (0, 7)):
            for mid, verdict in ((current, "running"), (3, "stale"),
                                 (last_id + 1, "violation"),
                                 (0, "violation"), ("3", "violation")):
                if current == 0 and verdict == "running":
                    continue
                chunk = {"type": "chunk", "id": mid, "items": [1]}
                end = {"type": "end", "id": mid}
                credit = {"type": "credit", "id": mid, "n": 1}
                cancel = {"type": "cancel", "id": mid}
                results = []
                for call in (
                        lambda: _messages.decode_chunk(
                            chunk, current, last_id, True, None),
                        lambda: _messages.decode_end(
                            end, current, last_id, True),
                        lambda: _messages.decode_credit(
                            credit, current, last_id),
                        lambda: _messages.decode_cancel(
                            cancel, current, last_id)):
                    if verdict == "violation":
                        with self.assertRaises(ProtocolViolation):
                            call()
                    else:
                        results.append(call())
                if verdict == "running":
                    self.assertEqual(results, [[1], True, 1, True])
                elif verdict == "stale":
                    self.assertEqual(results, [None, False, None, False])

    def test_input_checks(self):
        chunk = {"type": "chunk", "id": 5, "items": [1]}
        end = {"type": "end", "id": 5}
        self.failure("ProtocolError", _messages.decode_chunk,
                     chunk, 5, 5, False, None)
        self.failure("ProtocolError", _messages.decode_end, end, 5, 5, False)
        for bad in ({"items": 5}, {"items": None}):
            self.failure("ProtocolError", _messages.decode_chunk,
                         dict(chunk, **bad), 5, 5, True, None)
        self.failure("ProtocolError", _messages.decode_chunk,
                     chunk, 5, 5, True, "$stream marker outside call "
                                        "arguments")
        # Stale input is dropped without any check of its fields.
        self.assertIsNone(_messages.decode_chunk(
            {"type": "chunk", "id": 4}, 5, 5, False, "flaw"))

    def test_credit_n(self):
        for n in (-1, "5", 1.0, None, True):
            self.failure("ProtocolError", _messages.decode_credit,
                         {"type": "credit", "id": 5, "n": n}, 5, 5)

    def test_control_messages(self):
        self.assertEqual(
            _messages.decode_cancel({"type": "cancel", "conn": 2, "id": 9}),
            (2, 9))
        for bad in ({"id": 9}, {"conn": 2}, {"conn": 0, "id": 9},
                    {"conn": 2, "id": 2 ** 63}):
            with self.assertRaises(ProtocolViolation):
                _messages.decode_cancel(dict(bad, type="cancel"))
        self.assertEqual(_messages.decode_ping({"type": "ping", "seq": -3}),
                         -3)
        for seq in (None, "1", 1.0, True):
            with self.assertRaises(ProtocolViolation):
                _messages.decode_ping({"type": "ping", "seq": seq})


if __name__ == "__main__":
    unittest.main()
