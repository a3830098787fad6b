"""Unit tests of the value codec and framing (gobridge._wire, in process)."""

import json
import os
import random
import socket
import struct
import threading
import time
import unittest

from gobridge import _wire
from gobridge._wire import CallFailed, ProtocolViolation


def encode(value, path="result"):
    data, atts = _wire.Encoder().encode(value, path)
    return json.loads(data.decode("utf-8")), atts


def decode(obj, atts=()):
    payload = json.dumps(obj).encode("utf-8")
    msg, has_markers, _ = _wire.Decoder().decode(payload)
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


def nested(depth, leaf=0):
    """A list nested ``depth`` levels around ``leaf``."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def height(value):
    """Levels of lists and dicts in ``value``, by walking it."""
    if isinstance(value, list):
        return 1 + max(map(height, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(height, value.values()), default=0)
    return 0


def random_json(rng, depth=0):
    """A random JSON value whose strings hold brackets, quotes, colons,
    backslashes and non-ASCII text."""
    kind = rng.randrange(5 if depth < 7 else 2)
    if kind == 0:
        return "".join(rng.choice('ab[]{}":\\ \n\u00e9\U0001F40D')
                       for _ in range(rng.randrange(6)))
    if kind == 1:
        return rng.choice((0, -7, 2.5, True, None))
    if kind == 2:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {random_json(rng, 7): random_json(rng, depth + 1)
            for _ in range(rng.randrange(4))}


class NestingTest(unittest.TestCase):
    """The nesting limit of protocol section 3 (MAX_DEPTH = 200)."""

    def mismatch(self, value, path="result"):
        with self.assertRaises(CallFailed) as ctx:
            _wire.Encoder().encode(value, path)
        self.assertEqual(ctx.exception.code, "TypeMismatch")
        return ctx.exception.message

    def test_json_height_matches_a_walk(self):
        rng = random.Random(7)
        for _ in range(3000):
            value = random_json(rng)
            for options in ({}, {"ensure_ascii": False}, {"indent": 1},
                            {"separators": (",", ":")}):
                text = json.dumps(value, **options).encode("utf-8")
                self.assertEqual(_wire.json_height(text, 100), height(value),
                                 text)
        self.assertEqual(_wire.json_height(json.dumps(nested(300)).encode(),
                                           250), 251)

    def test_result_depth_limit(self):
        self.assertEqual(encode(nested(200))[0], nested(200))
        message = self.mismatch(nested(201))
        self.assertTrue(message.startswith("result[0][0][0]"), message)
        self.assertTrue(message.endswith(
            "[0][0]: nested deeper than 200 levels"), message)
        self.assertLess(len(message), 250)
        # The first container beyond the limit, in a map, with a long path
        # cut in its middle.
        message = self.mismatch({"users": [nested(197, {"deep": [1]})]})
        self.assertTrue(message.startswith("result.users[0][0]"), message)
        self.assertIn("...", message)
        self.assertTrue(message.endswith(
            '[0].deep: nested deeper than 200 levels'), message)

    def test_markers_do_not_count(self):
        # 200 escaped maps make 400 levels of JSON; bytes add one more.
        value = nested(0, b"x")
        for _ in range(200):
            value = {"$k": value}
        data, atts = _wire.Encoder().encode(value, "result")
        self.assertEqual(_wire.json_height(data, 1000), 401)
        self.assertEqual(atts, [b"x"])
        msg = decode({"type": "chunk", "id": 1,
                      "items": [json.loads(data.decode())]}, atts)
        self.assertEqual(msg["items"][0], value)
        value = {"$k": value}
        self.assertIn("nested deeper than 200", self.mismatch(value))

    def test_very_deep_values_fail_quickly(self):
        # Deeper than the json module can encode at all, or not: the same
        # message, and no walk of the whole depth.
        for depth in (1000, 100000):
            message = self.mismatch(nested(depth))
            self.assertTrue(message.startswith("result[0]"), message)
            self.assertTrue(message.endswith("nested deeper than 200 levels"))
        value = []
        value.append(value)
        self.assertIn("circular", self.mismatch(value))

    def test_stream_items_depth_limit(self):
        encoder = _wire.Encoder()
        data, _ = encoder.encode_items([nested(200), nested(200)], 0)
        self.assertEqual(json.loads(data), [nested(200), nested(200)])
        with self.assertRaises(CallFailed) as ctx:
            encoder.encode_items([1, nested(200), nested(201)], 10)
        self.assertEqual(ctx.exception.code, "TypeMismatch")
        self.assertEqual(ctx.exception.index, 2)
        self.assertTrue(ctx.exception.message.startswith("items[12][0]"))

    def test_decoded_input(self):
        deep = json.dumps({"type": "call", "id": 1, "method": "m",
                           "args": [1, {"a": nested(200)}]}).encode()
        msg, _, flagged = _wire.Decoder().decode(deep)
        self.assertTrue(flagged)
        # The path of the 201st level, cut to its first 60 and last 40
        # characters.
        path = "args[1].a" + "[0]" * 199
        self.assertEqual(_wire.find_deep_value(msg["args"], "args"),
                         path[:60] + "..." + path[-40:]
                         + ": nested deeper than 200 levels")
        self.assertIsNone(_wire.find_deep_value([nested(200)], "input", 5))
        self.assertTrue(_wire.find_deep_value(
            [1, nested(201)], "input", 5).startswith("input[6][0]"))
        shallow = json.dumps({"type": "chunk", "id": 1,
                              "items": [nested(200)]}).encode()
        self.assertFalse(_wire.Decoder().decode(shallow)[2])
        too_deep = json.dumps({"type": "chunk", "id": 1,
                               "items": [nested(511)]}).encode()
        with self.assertRaises(ProtocolViolation):
            _wire.Decoder().decode(too_deep)


class RepeatedKeyTest(unittest.TestCase):
    """A repeated key anywhere in a message is a protocol violation."""

    def refused(self, text):
        with self.assertRaises(ProtocolViolation) as ctx:
            _wire.Decoder().decode(text.encode("utf-8"))
        self.assertIn("repeated", str(ctx.exception))

    def test_repeated_keys_are_refused(self):
        for text in (
                '{"type":"call","method":"nope","method":"add"}',
                '{"type":"call","args":[{"a":1,"b":[{"c":1,"c":1}]}]}',
                '{"type" : "call", "type" : "call"}',
                '{"type":"call","args":[{"t":"12:00","t":"13:00"}]}',
                '{"type":"call","args":[{"t":"x\\":y","t":1}]}',
                '{"type":"call","args":[{"$map":{"$a":1,"$a":2}}]}',
                '{"type":"call","args":[{"é":1,"\u00e9":2}]}',
                '\n {"type":"chunk",\n"x":\t{"k":1,"k"\n:2}}'):
            self.refused(text)

    def test_colons_and_quotes_in_strings_are_fine(self):
        for text in (
                '{"type":"call","args":["a:b","::",{"u":"http://x"}]}',
                '{"type":"call","args":[{"q":"say \\"a\\": b"}]}',
                '{"type" :"call", "args" :\n[{"a" : ":", "b" :1}]}',
                '{"type":"call","args":[{"k":{"k":{"k":1}}}]}'):
            msg, _, _ = _wire.Decoder().decode(text.encode("utf-8"))
            self.assertEqual(msg, json.loads(text))

    def test_random_objects(self):
        # Objects without a repeated key are accepted, whatever their
        # strings hold; repeating any one key is refused.
        rng = random.Random(11)
        decoder = _wire.Decoder()
        for _ in range(2000):
            value = {"type": "call", "args": [random_json(rng)],
                     random_json(rng, 7): random_json(rng)}
            text = json.dumps(value, ensure_ascii=rng.random() < 0.5,
                              indent=rng.choice((None, 1)))
            self.assertEqual(decoder.decode(text.encode("utf-8"))[0],
                             json.loads(text))
            self.refused(text[:-1] + ', "type": "call"}')


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
                _wire.Decoder().decode(payload)


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

    def test_writing_does_not_wake_a_waiting_reader(self):
        # A worker writes an answer, then waits for the next call: the
        # host's reading of the answer must not wake the waiting thread.
        # (A thread blocked in recv() on a Unix stream socket is woken
        # each time the peer consumes what the socket wrote.)
        if not os.path.isdir("/proc/self/task"):
            self.skipTest("needs /proc/<pid>/task/<tid>/status to count "
                          "a thread's wake-ups (Linux)")
        ready = threading.Event()
        got = []
        native = []

        def wait_for_a_message():
            native.append(threading.get_native_id())
            ready.set()
            got.append(self.reader.read_message())

        def switches():
            path = "/proc/self/task/%d/status" % native[0]
            with open(path) as status:
                for line in status:
                    if line.startswith("voluntary_ctxt_switches:"):
                        return int(line.split()[1])
            self.fail("no voluntary_ctxt_switches in " + path)

        thread = threading.Thread(target=wait_for_a_message)
        thread.start()
        ready.wait()
        time.sleep(0.05)                # blocked in the read by now
        before = switches()
        for _ in range(50):
            self.a.sendall(b"x" * 512)  # what the worker writes ...
            self.assertEqual(len(self.b.recv(4096)), 512)  # ... read
            time.sleep(0.001)
        woken = switches() - before
        self.b.sendall(self.frame(b'{"type":"cancel","id":1}'))
        thread.join(5)
        self.assertFalse(thread.is_alive())
        self.assertEqual(got[0]["type"], "cancel")
        # Without the fix it is woken 50 times; a stray wake-up (a
        # signal, the scheduler) is not what this is about.
        self.assertLess(woken, 5)


if __name__ == "__main__":
    unittest.main()
