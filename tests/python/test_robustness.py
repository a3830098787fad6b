"""Handshake, malformed input, limits, concurrency, flow control, process
lifecycle: the worker's behaviour at its edges."""

import json
import os
import signal
import stat
import struct
import subprocess
import sys
import time
import unittest

import gbtest
from gbtest import Worker


class SharedWorkerTestCase(unittest.TestCase):

    max_frame = None

    @classmethod
    def setUpClass(cls):
        cls.worker = Worker(max_frame=cls.max_frame)
        cls.good = cls.worker.connect()

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop_cleanly()

    def assert_still_serving(self):
        self.assertEqual(self.good.value("add", 2, 3), 5)
        fresh = self.worker.connect()
        self.assertEqual(fresh.value("add", 3, 4), 7)


class HandshakeTest(SharedWorkerTestCase):

    def refused(self, conn, code):
        msg = conn.recv_msg()
        self.assertEqual(msg["type"], "error")
        self.assertNotIn("id", msg)
        self.assertEqual(msg["error"]["code"], code)
        self.assertTrue(conn.closed_by_peer())

    def test_wrong_token(self):
        conn = self.worker.raw()
        conn.send({"type": "hello", "version": 1, "role": "call",
                   "token": "0" * 64})
        self.refused(conn, "Unauthorized")
        self.assert_still_serving()

    def test_missing_token(self):
        conn = self.worker.raw()
        conn.send({"type": "hello", "version": 1, "role": "call"})
        self.refused(conn, "Unauthorized")

    def test_wrong_version(self):
        conn = self.worker.raw()
        conn.send({"type": "hello", "version": 2, "role": "call",
                   "token": self.worker.token})
        self.refused(conn, "ProtocolError")

    def test_bad_role(self):
        conn = self.worker.raw()
        conn.send({"type": "hello", "version": 1, "role": "admin",
                   "token": self.worker.token})
        self.refused(conn, "ProtocolError")

    def test_call_without_hello_runs_nothing(self):
        marker = self.worker.marker("no-hello")
        conn = self.worker.raw()
        conn.send({"type": "call", "id": 1, "method": "touch",
                   "args": [marker]})
        self.refused(conn, "ProtocolError")
        self.assertFalse(os.path.exists(marker))
        self.assert_still_serving()

    def test_pipelined_call_after_bad_token_runs_nothing(self):
        marker = self.worker.marker("bad-token")
        conn = self.worker.raw()
        # Both messages in one write: the call is in the worker's buffer
        # when it checks the token.
        frames = [json.dumps(msg).encode() for msg in (
            {"type": "hello", "version": 1, "role": "call",
             "token": self.worker.token[:-1] + "x"},
            {"type": "call", "id": 1, "method": "touch", "args": [marker]})]
        conn.send_raw(b"".join(struct.pack(">I", len(f)) + f for f in frames))
        self.refused(conn, "Unauthorized")
        # touch() answers within milliseconds when it runs; prove it never
        # does by running it for real on a good connection afterwards.
        other = self.worker.marker("good-token")
        self.assertIsNone(self.good.value("touch", other))
        self.assertTrue(os.path.exists(other))
        self.assertFalse(os.path.exists(marker))

    def test_garbage_first_frame(self):
        conn = self.worker.raw()
        conn.send_frame(b"\x00garbage")
        self.refused(conn, "ProtocolError")

    def test_oversized_first_frame(self):
        conn = self.worker.raw()
        conn.send_raw(struct.pack(">I", 0xFFFFFFFF))
        self.refused(conn, "ProtocolError")


class MalformedInputTest(SharedWorkerTestCase):

    def assert_closes(self, *frames):
        conn = self.worker.connect()
        self.assertEqual(conn.value("add", 1, 1), 2)
        for frame in frames:
            conn.send_raw(frame)
        self.assertTrue(conn.closed_by_peer())
        self.assert_still_serving()

    @staticmethod
    def frame(payload):
        return struct.pack(">I", len(payload)) + payload

    def test_invalid_json(self):
        self.assert_closes(self.frame(b'{"type": "call", '))

    def test_non_object(self):
        self.assert_closes(self.frame(b'[1, 2, 3]'))

    def test_invalid_utf8(self):
        self.assert_closes(self.frame(b'{"type": "call", "method": "\xff"}'))

    def test_unknown_type(self):
        self.assert_closes(self.frame(b'{"type": "launch", "id": 5}'))

    def test_missing_type(self):
        self.assert_closes(self.frame(b'{"id": 5}'))

    def test_truncated_frame(self):
        conn = self.worker.connect()
        conn.send_raw(struct.pack(">I", 100) + b'{"type":')
        conn.sock.shutdown(socket_shut_wr())
        self.assertTrue(conn.closed_by_peer())
        self.assert_still_serving()

    def test_ids_must_increase(self):
        self.assert_closes(
            self.frame(b'{"type":"call","id":2,"method":"add","args":[1,2]}'),
            self.frame(b'{"type":"call","id":2,"method":"add","args":[1,2]}'))

    def test_input_for_a_future_call(self):
        self.assert_closes(self.frame(b'{"type":"chunk","id":99,"items":[]}'))

    def test_bad_field_types(self):
        # A call that is wrong in itself fails alone (protocol section 8).
        conn = self.worker.connect()
        for payload in (
                b'{"type":"call","id":50,"method":"add","args":{"a":1}}',
                b'{"type":"call","id":51,"method":7,"args":[]}'):
            conn.send_raw(self.frame(payload))
            msg = conn.recv_msg()
            self.assertEqual((msg["type"], msg["error"]["code"]),
                             ("error", "ProtocolError"))
        conn.next_id = 52
        self.assertEqual(conn.value("add", 1, 1), 2)

    def test_call_while_a_call_runs(self):
        conn = self.worker.connect()
        cid = conn.start_call("sum_stream", {"$stream": 0})
        self.assertEqual(conn.recv_msg()["type"], "credit")
        conn.start_call("add", 1, 2)
        self.assertTrue(conn.closed_by_peer())
        self.assertGreater(cid, 0)
        self.assert_still_serving()

    def test_more_input_than_credit(self):
        conn = self.worker.connect()
        cid = conn.start_call("read_forever", {"$stream": 0})
        msg = conn.recv_msg()
        self.assertEqual(msg, {"type": "credit", "id": cid, "n": 1024})
        conn.send({"type": "chunk", "id": cid, "items": [0] * 5000})
        msg = conn.recv_msg()
        self.assertEqual((msg["type"], msg["id"], msg["error"]["code"]),
                         ("error", cid, "ProtocolError"))
        self.assertEqual(conn.value("add", 1, 1), 2)
        self.assert_still_serving()


def socket_shut_wr():
    import socket
    return socket.SHUT_WR


class FrameLimitTest(SharedWorkerTestCase):

    max_frame = 1024 * 1024

    def test_oversized_frame_closes_only_that_connection(self):
        conn = self.worker.connect()
        conn.send_raw(struct.pack(">I", 2 * 1024 * 1024) + b"{" * 1000)
        self.assertTrue(conn.closed_by_peer())
        self.assert_still_serving()

    def test_frame_at_the_limit_is_accepted(self):
        text = "y" * (1024 * 1024 - 200)
        self.assertEqual(len(self.good.value("echo", text)), len(text))

    def test_oversized_attachment_closes(self):
        conn = self.worker.connect()
        try:
            conn.send({"type": "call", "id": 1, "method": "bytes_len",
                       "args": [{"$bytes": 0}]},
                      atts=[b"z" * (1024 * 1024 + 1)])
        except (BrokenPipeError, ConnectionResetError):
            pass    # the worker closed while the test was still sending
        self.assertTrue(conn.closed_by_peer())
        self.assert_still_serving()

    def test_result_too_large(self):
        msg = self.good.call("make_string", 2 * 1024 * 1024)
        self.assertEqual(msg["type"], "error")
        self.assertEqual(msg["error"]["code"], "FrameTooLarge")
        msg = self.good.call("make_bytes", 2 * 1024 * 1024)
        self.assertEqual(msg["error"]["code"], "FrameTooLarge")
        self.assertEqual(len(self.good.value("make_bytes", 1000)), 1000)


class ConcurrencyTest(SharedWorkerTestCase):

    def test_connections_run_calls_concurrently(self):
        conns = [self.good] + [self.worker.connect() for _ in range(3)]
        started = time.monotonic()
        ids = [conn.start_call("sleep", 0.3) for conn in conns]
        for conn, cid in zip(conns, ids):
            self.assertEqual(conn.recv_msg(),
                             {"type": "result", "id": cid, "value": 0.3})
        self.assertLess(time.monotonic() - started, 1.0)

    def test_pipelined_calls_answer_in_order(self):
        ids = [self.good.start_call("add", i, i) for i in range(200)]
        for i, cid in enumerate(ids):
            self.assertEqual(self.good.recv_msg(),
                             {"type": "result", "id": cid, "value": 2 * i})


class FlowControlTest(SharedWorkerTestCase):

    def test_window_and_credit(self):
        conn = self.good
        cid = conn.start_call("fast_gen", 100, window=10)
        items = []
        while len(items) < 10:
            msg = conn.recv_msg()
            self.assertEqual(msg["type"], "chunk")
            items.extend(msg["items"])
        self.assertEqual(items, list(range(10)))
        self.assertTrue(conn.quiet_for(0.2))     # waits for credit
        conn.send({"type": "credit", "id": cid, "n": 5})
        while len(items) < 15:
            items.extend(conn.recv_msg()["items"])
        self.assertEqual(items, list(range(15)))
        self.assertTrue(conn.quiet_for(0.1))
        conn.send({"type": "credit", "id": cid, "n": 1000})
        rest, end, _ = conn.collect(cid)
        self.assertEqual(items + rest, list(range(100)))
        self.assertEqual(end, {"type": "end", "id": cid})

    def test_zero_window(self):
        conn = self.good
        cid = conn.start_call("range_gen", 0, 3, window=0)
        self.assertTrue(conn.quiet_for(0.1))
        conn.send({"type": "credit", "id": cid, "n": 3})
        items, end, _ = conn.collect(cid)
        self.assertEqual((items, end["type"]), ([0, 1, 2], "end"))

    def test_lone_items_are_not_delayed(self):
        conn = self.good
        cid = conn.start_call("slow_gen", 0.2)
        started = time.monotonic()
        arrivals = []
        for expected in range(3):
            msg = conn.recv_msg()
            self.assertEqual(msg["items"], [expected])
            arrivals.append(time.monotonic() - started)
        conn.send({"type": "cancel", "id": cid})
        control = self.worker.connect("control")
        control.send({"type": "cancel", "conn": conn.conn_id, "id": cid})
        conn.collect(cid)
        # Item k is produced at k * 0.2 s; each one arrives promptly.
        for k, arrival in enumerate(arrivals):
            self.assertLess(arrival, k * 0.2 + 0.15)

    def test_burst_before_a_pause_is_flushed(self):
        conn = self.good
        cid = conn.start_call("burst_then_pause", 3, 1.5)
        started = time.monotonic()
        items = []
        while len(items) < 3:
            items.extend(conn.recv_msg()["items"])
        self.assertLess(time.monotonic() - started, 0.5)
        rest, end, _ = conn.collect(cid)
        self.assertEqual(items + rest, [0, 1, 2, 3])
        self.assertEqual(end["type"], "end")


class LifecycleTest(unittest.TestCase):

    def test_socket_mode_and_rename(self):
        worker = Worker()
        try:
            mode = os.stat(worker.path).st_mode
            self.assertTrue(stat.S_ISSOCK(mode))
            self.assertEqual(stat.S_IMODE(mode), 0o600)
            self.assertFalse(os.path.exists(worker.path + ".tmp"))
        finally:
            worker.stop()

    def test_sigterm_exits_0_and_removes_socket(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            worker = Worker()
            conn = worker.connect()
            self.assertEqual(conn.value("add", 1, 2), 3)
            worker.proc.send_signal(signum)
            self.assertEqual(worker.proc.wait(5), 0)
            self.assertFalse(os.path.exists(worker.path))
            worker.stop()

    def test_sigterm_during_busy_call(self):
        worker = Worker()
        conn = worker.connect()
        marker = worker.marker("busy")
        conn.start_call("busy_loop", marker)
        self.assertTrue(gbtest.wait_for(lambda: os.path.exists(marker)))
        worker.proc.send_signal(signal.SIGTERM)
        self.assertEqual(worker.proc.wait(5), 0)
        self.assertFalse(os.path.exists(worker.path))
        worker.stop()

    def test_missing_socket_variable(self):
        proc = subprocess.run(
            [sys.executable, gbtest.TEST_WORKER], env=gbtest.worker_env(),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertIn(b"GOBRIDGE_SOCKET", proc.stderr)
        self.assertIn(b"QGbPool", proc.stderr)
        self.assertEqual(proc.stdout, b"")

    def test_crash_mid_call(self):
        worker = Worker()
        try:
            conn = worker.connect()
            conn.start_call("crash")
            self.assertTrue(conn.closed_by_peer())
            self.assertEqual(worker.proc.wait(5), 3)
        finally:
            worker.stop()

    def test_crash_mid_stream(self):
        worker = Worker()
        try:
            conn = worker.connect()
            cid = conn.start_call("gen_then_crash", 3)
            items = []
            while len(items) < 3:
                msg = conn.recv_msg()
                self.assertEqual(msg["id"], cid)
                items.extend(msg["items"])
            self.assertEqual(items, [0, 1, 2])
            self.assertTrue(conn.closed_by_peer())
            self.assertEqual(worker.proc.wait(5), 3)
        finally:
            worker.stop()


if __name__ == "__main__":
    unittest.main()
