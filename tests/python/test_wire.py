"""Unit tests of the value codec and framing (gobridge._wire, in process)."""

import json
import socket
import struct
import unittest

from gobridge import _wire
from gobridge._wire import CallFailed, ProtocolViolation


def encode(value, path="result"):
    data, atts = _wire.Encoder().encode(value, path)
    return json.loads(data.decode("utf-8")), atts


def decode(obj, atts=()):
    payload = json.dumps(obj).encode("utf-8")
    msg, has_markers = _wire.decode_payload(payload)
    if has_markers or atts:
        _wire.resolve_message(msg, list(atts))
    return msg


class EncodeTest(unittest.TestCase):

    def mismatch(self, value, path="result"):
        with self.assertRaises(CallFailed) as ctx:
            _wire.Encoder().encode(value, path)
        self.assertEqual(ctx.exception.code, "TypeMismatch")
        return ctx.exception

    def test_plain_values(self):
        value = {"a": [1, 2.5, "x", None, True], "b": {"c": "ü€"}}
        self.assertEqual(encode(value), (value, []))

    def test_tuples_encode_as_lists(self):
        self.assertEqual(encode((1, (2, 3)))[0], [1, [2, 3]])

    def test_compact_output(self):
        data, _ = _wire.Encoder().encode({"a": [1, 2]}, "result")
        self.assertEqual(data, b'{"a":[1,2]}')

    def test_int64_bounds(self):
        self.assertEqual(encode(_wire.INT64_MAX)[0], 2 ** 63 - 1)
        self.assertEqual(encode(_wire.INT64_MIN)[0], -2 ** 63)
        for bad in (2 ** 63, -2 ** 63 - 1, 2 ** 70):
            failure = self.mismatch([bad])
            self.assertEqual(failure.code, "TypeMismatch")
            self.assertIn("result[0]", failure.message)
            self.assertIn("int", failure.message)

    def test_long_digit_string_is_fine(self):
        value = {"s": "12345678901234567890123", "f": 1.2345678901234567e+30}
        self.assertEqual(encode(value)[0], value)

    def test_nan_and_infinity_name_the_path(self):
        for bad in (float("nan"), float("inf"), float("-inf")):
            failure = self.mismatch([{"score": 1.0}, {"score": bad}])
            self.assertEqual(failure.code, "TypeMismatch")
            self.assertIn("result[1].score", failure.message)
            self.assertIn("float", failure.message)

    def test_set_names_path_and_type(self):
        failure = self.mismatch({"users": [{"tags": {1, 2}}]})
        self.assertEqual(failure.code, "TypeMismatch")
        self.assertIn("result.users[0].tags", failure.message)
        self.assertIn("set", failure.message)

    def test_object_type_name_includes_module(self):
        failure = self.mismatch([self])
        self.assertIn("test_wire.EncodeTest", failure.message)

    def test_non_string_key(self):
        failure = self.mismatch({(1, 2): "x"})
        self.assertIn("map key of type tuple", failure.message)

    def test_odd_key_path_is_quoted(self):
        failure = self.mismatch({"a b": float("nan")})
        self.assertIn('result["a b"]', failure.message)

    def test_circular_reference(self):
        value = []
        value.append(value)
        failure = self.mismatch(value)
        self.assertIn("circular", failure.message)

    def test_lone_surrogate(self):
        failure = self.mismatch(["\udc80"])
        self.assertIn("result[0]", failure.message)

    def test_bytes_become_attachments(self):
        obj, atts = encode({"a": b"one", "b": [bytearray(b"two"),
                                              memoryview(b"3")]})
        self.assertEqual(obj, {"a": {"$bytes": 0},
                               "b": [{"$bytes": 1}, {"$bytes": 2}]})
        self.assertEqual([bytes(a) for a in atts], [b"one", b"two", b"3"])

    def test_dollar_maps_are_escaped(self):
        obj, atts = encode([{"$x": 1}, {"$bytes": 2}, {"$a": 1, "b": 2},
                            {"$map": {"$y": b"z"}}])
        self.assertEqual(obj, [{"$map": {"$x": 1}}, {"$map": {"$bytes": 2}},
                               {"$a": 1, "b": 2},
                               {"$map": {"$map": {"$map": {"$y":
                                                           {"$bytes": 0}}}}}])
        self.assertEqual(atts, [b"z"])

    def test_escape_roundtrip(self):
        values = [{"$x": 1}, {"$bytes": 0}, {"$map": {"a": 1, "b": 2}},
                  {"$stream": 0}, {"k": {"$map": {"$map": {"$q": [b"x"]}}}}]
        for value in values:
            data, atts = _wire.Encoder().encode(value, "result")
            msg = decode({"type": "chunk", "id": 1,
                          "items": [json.loads(data.decode())]}, atts)
            self.assertEqual(msg["items"][0], value)

    def test_long_strings_match_json(self):
        # Long strs take a quoting path of their own: byte for byte what
        # json.dumps(ensure_ascii=False) gives, for every kind of character.
        base = "abcdefghij" * 60   # 600 characters, above the threshold
        specials = [chr(c) for c in range(32)] + ['"', "\\", "\x7f", "/",
                                                  "ü", "€", "\U0001f600",
                                                  "\u2028", "0123456789" * 3]
        samples = [base, base * 100, "x" * _wire._LONG_STR,
                   "x" * (_wire._LONG_STR - 1)]
        for special in specials:
            samples += [special + base, base + special,
                        base[:300] + special + base[300:]]
        enc = _wire.Encoder()
        for text in samples:
            expected = json.dumps(text, ensure_ascii=False,
                                  separators=(",", ":")).encode("utf-8")
            self.assertEqual(enc.encode(text, "result"), (expected, []),
                             repr(text[:40]))
            batch = [text, base, text[::-1]]
            expected = json.dumps(batch, ensure_ascii=False,
                                  separators=(",", ":")).encode("utf-8")
            self.assertEqual(enc.encode_items(batch, 0), (expected, []),
                             repr(text[:40]))

    def test_long_strings_with_surrogate_name_the_path(self):
        long_bad = "a" * 1000 + "\udc80"
        failure = self.mismatch(long_bad)
        self.assertIn("result: str contains an unpaired surrogate",
                      failure.message)
        with self.assertRaises(CallFailed) as ctx:
            _wire.Encoder().encode_items(["b" * 1000, "c" * 700, long_bad],
                                         40)
        self.assertIn("items[42]", ctx.exception.message)
        self.assertEqual(ctx.exception.index, 2)

    def test_long_strings_mixed_batch(self):
        # A batch that is not all str takes the general path.
        batch = ["d" * 1000, 2 ** 70]
        with self.assertRaises(CallFailed) as ctx:
            _wire.Encoder().encode_items(batch, 0)
        self.assertIn("items[1]", ctx.exception.message)
        data, atts = _wire.Encoder().encode_items(["e" * 1000, b"raw"], 0)
        self.assertEqual(json.loads(data), ["e" * 1000, {"$bytes": 0}])
        self.assertEqual(atts, [b"raw"])

    def test_stream_items_path(self):
        with self.assertRaises(CallFailed) as ctx:
            _wire.Encoder().encode_items([1, 2, {3}], 10)
        self.assertIn("items[12]", ctx.exception.message)
        self.assertEqual(ctx.exception.index, 2)


class DecodeTest(unittest.TestCase):

    def test_plain(self):
        self.assertEqual(decode({"type": "call", "args": [1, "a"]})["args"],
                         [1, "a"])

    def test_bytes_marker(self):
        msg = decode({"type": "call",
                      "args": [{"$bytes": 1}, [{"$bytes": 0}]]},
                     [b"zero", b"one"])
        self.assertEqual(msg["args"], [b"one", [b"zero"]])

    def test_stream_marker_only_as_argument(self):
        msg = decode({"type": "call", "args": [1, {"$stream": 0}]})
        self.assertIs(msg["args"][1], _wire.STREAM)
        for bad in ({"type": "call", "args": [[{"$stream": 0}]]},
                    {"type": "chunk", "items": [{"$stream": 0}]},
                    {"type": "call", "args": [{"$stream": 1}]}):
            with self.assertRaises(ProtocolViolation):
                decode(bad)

    def test_bad_markers(self):
        for bad, atts in (({"type": "call", "args": [{"$foo": 1}]}, ()),
                          ({"type": "call", "args": [{"$bytes": 1}]}, [b""]),
                          ({"type": "call", "args": [{"$bytes": "0"}]}, [b""]),
                          ({"type": "call", "args": [{"$map": 3}]}, ())):
            with self.assertRaises(ProtocolViolation):
                decode(bad, atts)

    def test_malformed_payloads(self):
        for payload in (b"\xff\xfe", b"{not json", b"[1,2]", b'"text"',
                        b'{"a": NaN}', b'{"a": Infinity}', b""):
            with self.assertRaises(ProtocolViolation):
                _wire.decode_payload(payload)


class ReaderTest(unittest.TestCase):

    def setUp(self):
        self.a, self.b = socket.socketpair()
        self.reader = _wire.Reader(self.a, 1000)

    def tearDown(self):
        self.reader.close()
        self.a.close()
        self.b.close()

    def frame(self, payload):
        return struct.pack(">I", len(payload)) + payload

    def test_message_with_attachments(self):
        self.b.sendall(self.frame(b'{"type":"call","id":1,"method":"m",'
                                  b'"att":2,"args":[{"$bytes":1}]}')
                       + self.frame(b"a") + self.frame(b"bb"))
        msg = self.reader.read_message()
        self.assertEqual(msg["args"], [b"bb"])

    def test_clean_end(self):
        self.b.close()
        self.assertIsNone(self.reader.read_message())

    def test_oversized_frame(self):
        self.b.sendall(struct.pack(">I", 1001))
        with self.assertRaises(ProtocolViolation):
            self.reader.read_message()

    def test_truncated(self):
        self.b.sendall(struct.pack(">I", 10) + b"{}")
        self.b.close()
        with self.assertRaises(ProtocolViolation):
            self.reader.read_message()

    def test_truncated_header(self):
        self.b.sendall(b"\x00\x00")
        self.b.close()
        with self.assertRaises(ProtocolViolation):
            self.reader.read_message()

    def test_unknown_type_and_bad_att(self):
        self.b.sendall(self.frame(b'{"type":"bogus"}'))
        with self.assertRaises(ProtocolViolation):
            self.reader.read_message()
        self.b.sendall(self.frame(b'{"type":"call","att":0}'))
        with self.assertRaises(ProtocolViolation):
            self.reader.read_message()


if __name__ == "__main__":
    unittest.main()
