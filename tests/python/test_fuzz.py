"""Randomized frames against the worker (deterministic: fixed seeds).

Each case opens a fresh connection, passes the handshake and sends random or
mutated input: random bytes, random frame lengths, random JSON values,
mutated call messages (types, ids, methods, arguments, markers, attachments)
and byte-level mutations of valid calls. The test then half-closes the
connection and requires that the worker closes it in time (it may answer
anything before), that the worker process is still alive and that a fresh
connection still runs ``add(1, 2) == 3``.

Set GBTEST_FUZZ_VERBOSE=1 to print every case's input.
"""

import json
import os
import random
import socket
import struct
import time
import unittest

import gbtest
from gbtest import Worker

SEEDS = tuple(range(1, 9))
CASES_PER_SEED = 100
MAX_FRAME = 64 * 1024
VERBOSE = os.environ.get("GBTEST_FUZZ_VERBOSE") == "1"

_HEADER = struct.Struct(">I")

# Functions a mutated call may reach: quick, side-effect free, bounded
# whatever their arguments (generators stop when credit runs out and the
# connection is closed).
SAFE_METHODS = ("add", "echo", "identity", "get_user", "enrich_users",
                "bytes_len", "bytes_echo", "range_gen", "sum_stream",
                "renamed_fn", "gen_users", "process_users", "pid",
                "raise_value_error", "unjsonable", "big_int", "nan")
TYPES = ("call", "chunk", "end", "credit", "cancel", "describe", "hello",
         "ping", "result", "error", "")


def frame(payload):
    return _HEADER.pack(len(payload)) + payload


def random_string(rng, size=8):
    alphabet = "ab$_ \"\\\u00e9\u20ac\U0001F40D\x00\n"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(size)))


def random_scalar(rng, special=True):
    choices = [
        lambda: None, lambda: True, lambda: False,
        lambda: rng.randrange(-2 ** 63, 2 ** 63),
        lambda: rng.randrange(-10, 10),
        lambda: rng.uniform(-1e300, 1e300),
        lambda: random_string(rng),
    ]
    if special:
        # Not valid on the wire: integers beyond 64 bits, NaN, infinities.
        choices += [lambda: rng.choice((2 ** 63, -2 ** 63 - 1, 2 ** 70)),
                    lambda: rng.choice((float("nan"), float("inf")))]
    return rng.choice(choices)()


def random_value(rng, depth=0, special=True):
    """A random JSON value; special: also markers and invalid numbers."""
    kind = rng.randrange((10 if special else 8) if depth < 6 else 6)
    if kind < 6:
        return random_scalar(rng, special and rng.random() < 0.3)
    if kind == 6:
        return [random_value(rng, depth + 1, special)
                for _ in range(rng.randrange(4))]
    if kind == 7:
        return {random_string(rng): random_value(rng, depth + 1, special)
                for _ in range(rng.randrange(4))}
    # markers, valid and not
    return rng.choice((
        {"$bytes": rng.randrange(-1, 3)}, {"$stream": rng.randrange(-1, 2)},
        {"$map": random_value(rng, depth + 1)}, {"$evil": 1},
        {"$bytes": "0"}, {"$bytes": 0, "x": 1},
    ))


def dumps(rng, value):
    text = json.dumps(value, separators=(",", ":"),
                      ensure_ascii=rng.random() < 0.5, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


def random_id(rng):
    return rng.choice((1, 1, 2, 0, -1, 2 ** 63, 2 ** 64, 1.0, "1", None,
                       rng.randrange(1, 1000)))


def random_call(rng):
    """A call message, mostly well-formed, with random parts."""
    special = rng.random() < 0.3
    msg = {"type": "call" if rng.random() < 0.8 else rng.choice(TYPES),
           "id": 1 if rng.random() < 0.7 else random_id(rng),
           "method": rng.choice(SAFE_METHODS) if rng.random() < 0.8
           else random_string(rng),
           "args": [random_value(rng, 0, special)
                    for _ in range(rng.randrange(4))]}
    if rng.random() < 0.1:
        msg["args"] = random_value(rng)
    for key in ("stream_out", "window", "n", "items", "seq", "conn", "att"):
        if rng.random() < 0.1:
            msg[key] = rng.choice((random_scalar(rng), 0, 1, 1024, -5))
    for key in list(msg):
        if rng.random() < 0.03:
            del msg[key]
    return msg


def valid_call(rng):
    method, args = rng.choice((
        ("add", [1, 2]), ("echo", [{"a": [1, 2.5, "x", None]}]),
        ("range_gen", [0, 5]), ("get_user", [7]),
        ("bytes_len", [{"$bytes": 0}]), ("sum_stream", [{"$stream": 0}]),
    ))
    msg = {"type": "call", "id": 1, "method": method, "args": args}
    atts = [b"\x00\xffbytes"] if method == "bytes_len" else []
    if atts:
        msg["att"] = 1
    data = frame(json.dumps(msg, separators=(",", ":")).encode())
    for a in atts:
        data += frame(a)
    if method == "sum_stream":
        data += frame(b'{"type":"chunk","id":1,"items":[1,2,3]}')
        data += frame(b'{"type":"end","id":1}')
    return data


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randrange(1, 6)):
        op = rng.randrange(5)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[pos:pos] = bytes(rng.randrange(256)
                                  for _ in range(rng.randrange(1, 5)))
        elif op == 2:
            del data[pos:pos + rng.randrange(1, 8)]
        elif op == 3:
            data[pos:pos] = rng.choice((b"{", b"}", b"[", b"]", b'"', b"\\",
                                        b",", b":", b"\xc3", b"\xed\xa0\x80"))
        else:
            del data[pos:]
    return bytes(data)


def random_case(rng):
    """Bytes to send after the handshake, and a label for failures."""
    kind = rng.randrange(9)
    if kind == 0:
        return "random bytes", bytes(rng.randrange(256)
                                     for _ in range(rng.randrange(64)))
    if kind == 1:
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
        return "random payload", frame(payload)
    if kind == 2:
        length = rng.choice((rng.randrange(2 ** 32), MAX_FRAME, MAX_FRAME + 1,
                             2 ** 32 - 1, 0, rng.randrange(64)))
        tail = bytes(rng.randrange(256) for _ in range(rng.randrange(32)))
        return "random length", _HEADER.pack(length) + tail
    if kind == 3:
        return "random JSON", frame(dumps(rng, random_value(rng)))
    if kind in (4, 5) and rng.random() < 0.3:
        msg = {"type": "call", "id": 1, "method": rng.choice(("echo", "identity")),
               "args": [random_value(rng, 0, False)]}
        return "random echo", frame(dumps(rng, msg))
    if kind in (4, 5):
        msg = random_call(rng)
        data = frame(dumps(rng, msg))
        if rng.random() < 0.3:
            data += frame(bytes(rng.randrange(256)
                                for _ in range(rng.randrange(16))))
        return "mutated call", data
    if kind == 6:
        data = valid_call(rng)
        if rng.random() < 0.5:
            return "mutated call bytes", mutate(rng, data)
        # Keep the frame lengths, mutate a payload.
        size = _HEADER.unpack(data[:4])[0]
        payload = mutate(rng, data[4:4 + size])
        return "mutated payload", frame(payload) + data[4 + size:]
    if kind == 7:
        # A sequence: a valid call and more frames for it or for others.
        parts = [valid_call(rng)]
        for _ in range(rng.randrange(1, 4)):
            parts.append(frame(dumps(rng, rng.choice((
                {"type": "call", "id": 1, "method": "add", "args": [1, 2]},
                {"type": "chunk", "id": random_id(rng), "items": [1]},
                {"type": "credit", "id": random_id(rng),
                 "n": rng.choice((1, -1, 2 ** 40))},
                {"type": "cancel", "id": random_id(rng)},
                {"type": "end", "id": random_id(rng)},
                {"type": "hello", "version": 1, "role": "call"},
                random_call(rng))))))
        return "sequence", b"".join(parts)
    # Attachments that do not match the message.
    att = rng.choice((1, 2, 3, -1, 0, 2 ** 40, "1"))
    msg = {"type": "call", "id": 1, "method": "bytes_len",
           "args": [{"$bytes": rng.randrange(-1, 3)}], "att": att}
    data = frame(dumps(rng, msg))
    for _ in range(rng.randrange(3)):
        data += frame(b"x" * rng.randrange(8))
    return "attachments", data


class RandomFramesTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.worker = Worker(max_frame=MAX_FRAME)

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop_cleanly()

    def run_case(self, label, data):
        worker = self.worker
        conn = worker.connect()
        try:
            try:
                conn.send_raw(data)
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass    # the worker may close before reading it all
            # Whatever the worker answers, it must end the connection: the
            # input ended.
            self.assertTrue(conn.closed_by_peer(gbtest.TIMEOUT),
                            "worker kept the connection open after %s %r"
                            % (label, data[:200]))
        finally:
            conn.close()
            worker._conns.remove(conn)
        self.assertIsNone(worker.proc.poll(),
                          "worker died after %s %r:\n%s"
                          % (label, data[:200], worker.stderr()))
        fresh = worker.connect()
        try:
            self.assertEqual(fresh.value("add", 1, 2), 3,
                             "after %s %r" % (label, data[:200]))
        finally:
            fresh.close()
            worker._conns.remove(fresh)

    def test_random_frames(self):
        pid = self.worker.connect().value("pid")
        started = time.monotonic()
        count = 0
        for seed in SEEDS:
            rng = random.Random(seed)
            for index in range(CASES_PER_SEED):
                label, data = random_case(rng)
                label = "seed %d case %d (%s)" % (seed, index, label)
                if VERBOSE:
                    print(label, data[:200])
                with self.subTest(label):
                    self.run_case(label, data)
                count += 1
        # Still the same process, which served every case.
        self.assertEqual(self.worker.connect().value("pid"), pid)
        self.assertEqual(count, len(SEEDS) * CASES_PER_SEED)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 60, "%d cases took %.1f s" % (count, elapsed))


if __name__ == "__main__":
    unittest.main()
