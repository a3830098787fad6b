"""Cancellation against a real worker: points 1-3 of "Cancellation and deadlines"
in docs/reliability.md."""

import os
import time
import unittest

import gbtest
from gbtest import Worker

#: A cancelled busy loop must stop and be acknowledged within this time.
CANCEL_LIMIT = 0.1


class CancelTestCase(unittest.TestCase):
    """A worker with a main-thread connection, a thread connection and the
    control connection."""

    @classmethod
    def setUpClass(cls):
        cls.worker = Worker()
        cls.main = cls.worker.connect()     # the first one: main thread
        cls.thread = cls.worker.connect()   # main is taken: its own thread
        cls.control = cls.worker.connect("control")

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop_cleanly()

    def setUp(self):
        # The connection roles the tests rely on.
        self.assertTrue(self.main.value("on_main_thread"))
        self.assertFalse(self.thread.value("on_main_thread"))

    def cancel(self, conn, cid, call_side=True, control_side=True):
        """Send the cancel as the host does (both connections)."""
        if call_side:
            conn.send({"type": "cancel", "id": cid})
        if control_side:
            self.control.send({"type": "cancel", "conn": conn.conn_id,
                               "id": cid})

    def start_marked(self, conn, method, *args):
        """Start ``method(*args, marker)`` and wait until it runs."""
        marker = self.worker.marker("%s-%d-%d" % (method, conn.conn_id,
                                                  conn.next_id))
        cid = conn.start_call(method, *(args + (marker,)))
        self.assertTrue(gbtest.wait_for(lambda: os.path.exists(marker)))
        return cid

    def assert_cancelled(self, conn, cid, limit=None):
        started = time.monotonic()
        msg = conn.recv_msg()
        elapsed = time.monotonic() - started
        self.assertEqual(msg["type"], "error", msg)
        self.assertEqual(msg["id"], cid)
        self.assertEqual(msg["error"]["code"], "Cancelled")
        if limit is not None:
            self.assertLess(elapsed, limit)
        # The connection serves the next call normally.
        self.assertEqual(conn.value("add", 20, 22), 42)


class InterruptTest(CancelTestCase):

    def test_busy_loop_on_main_thread(self):
        cid = self.start_marked(self.main, "busy_loop")
        self.cancel(self.main, cid)
        self.assert_cancelled(self.main, cid, CANCEL_LIMIT)

    def test_busy_loop_on_thread(self):
        cid = self.start_marked(self.thread, "busy_loop")
        self.cancel(self.thread, cid)
        self.assert_cancelled(self.thread, cid, CANCEL_LIMIT)

    def test_except_exception_does_not_swallow_on_main_thread(self):
        cid = self.start_marked(self.main, "busy_loop_swallow")
        self.cancel(self.main, cid)
        self.assert_cancelled(self.main, cid, CANCEL_LIMIT)

    def test_except_exception_does_not_swallow_on_thread(self):
        cid = self.start_marked(self.thread, "busy_loop_swallow")
        self.cancel(self.thread, cid)
        self.assert_cancelled(self.thread, cid, CANCEL_LIMIT)

    def test_sleep_on_main_thread(self):
        cid = self.start_marked(self.main, "sleep", 60)
        self.cancel(self.main, cid)
        self.assert_cancelled(self.main, cid, CANCEL_LIMIT)

    def test_control_cancel_alone_interrupts(self):
        cid = self.start_marked(self.thread, "busy_loop")
        self.cancel(self.thread, cid, call_side=False)
        self.assert_cancelled(self.thread, cid, CANCEL_LIMIT)

    def test_busy_generator(self):
        for conn in (self.main, self.thread):
            cid = conn.start_call("busy_gen")
            # The lone item arrives although the generator never yields
            # again (the flusher sends it).
            self.assertEqual(conn.recv_msg(timeout=2),
                             {"type": "chunk", "id": cid, "items": [1]})
            self.cancel(conn, cid)
            self.assert_cancelled(conn, cid, CANCEL_LIMIT)

    def test_other_connections_keep_running(self):
        cid = self.start_marked(self.thread, "busy_loop")
        self.assertEqual(self.main.value("add", 1, 2), 3)
        self.cancel(self.thread, cid)
        self.assert_cancelled(self.thread, cid)


class CooperativeTest(CancelTestCase):

    def test_generator_gets_generator_exit(self):
        for conn in (self.main, self.thread):
            record = self.worker.marker("genexit-%d" % conn.conn_id)
            cid = conn.start_call("gen_record_exit", record, window=5)
            items = []
            while len(items) < 5:
                items.extend(conn.recv_msg()["items"])
            self.assertEqual(items, [0, 1, 2, 3, 4])
            self.cancel(conn, cid)
            self.assert_cancelled(conn, cid, CANCEL_LIMIT)
            with open(record) as f:
                self.assertEqual(f.read(), "GeneratorExit")

    def test_input_iterator_raises_cancelled(self):
        for conn in (self.main, self.thread):
            record = self.worker.marker("input-%d" % conn.conn_id)
            cid = conn.start_call("read_record", {"$stream": 0}, record)
            self.assertEqual(conn.recv_msg()["type"], "credit")
            # 600 items make the function replenish the credit after 512:
            # then it surely runs and waits for more input.
            conn.send({"type": "chunk", "id": cid, "items": [1] * 600})
            self.assertEqual(conn.recv_msg(),
                             {"type": "credit", "id": cid, "n": 512})
            self.cancel(conn, cid)
            self.assert_cancelled(conn, cid, CANCEL_LIMIT)
            with open(record) as f:
                self.assertEqual(f.read(), "Cancelled")

    def test_bidi_cancel(self):
        cid = self.thread.start_call("process_users", {"$stream": 0})
        self.assertEqual(self.thread.recv_msg()["type"], "credit")
        self.thread.send({"type": "chunk", "id": cid, "items": [
            {"id": 1, "name": "a", "score": 1}]})
        self.assertEqual(self.thread.recv_msg()["type"], "chunk")
        self.cancel(self.thread, cid)
        self.assert_cancelled(self.thread, cid, CANCEL_LIMIT)


class BookkeepingTest(CancelTestCase):

    def test_cancel_before_the_call_starts(self):
        marker = self.worker.marker("never")
        cid = self.thread.next_id
        self.control.send({"type": "cancel", "conn": self.thread.conn_id,
                           "id": cid})
        # The control connection handled the cancel once it answers a ping.
        self.control.send({"type": "ping", "seq": 1})
        self.assertEqual(self.control.recv_msg()["type"], "pong")
        self.thread.start_call("touch", marker)
        self.assert_cancelled(self.thread, cid)
        self.assertFalse(os.path.exists(marker))

    def test_cancel_after_the_call_finished_is_dropped(self):
        for conn in (self.main, self.thread):
            cid = conn.start_call("add", 1, 2)
            self.assertEqual(conn.recv_msg()["value"], 3)
            self.cancel(conn, cid)
            self.control.send({"type": "ping", "seq": 2})
            self.assertEqual(self.control.recv_msg()["type"], "pong")
            self.assertEqual(conn.value("add", 3, 4), 7)
            self.assertTrue(conn.quiet_for(0.05))

    def test_cancel_racing_the_end_of_calls(self):
        # Whatever the timing, every call ends with exactly one terminal
        # message and no stale Cancelled reaches a later call.
        for conn in (self.main, self.thread):
            for i in range(40):
                cid = conn.start_call("sleep", 0.0005 * (i % 4))
                self.cancel(conn, cid)
                msg = conn.recv_msg()
                self.assertEqual(msg["id"], cid)
                if msg["type"] == "error":
                    self.assertEqual(msg["error"]["code"], "Cancelled")
                else:
                    self.assertEqual(msg["type"], "result")
                for _ in range(3):
                    self.assertEqual(conn.value("add", i, 1), i + 1)

    def test_cancel_racing_streams(self):
        for conn in (self.main, self.thread):
            for _ in range(20):
                cid = conn.start_call("fast_gen", 3000, window=100000)
                self.cancel(conn, cid)
                items, end, _ = conn.collect(cid)
                self.assertEqual(items, list(range(len(items))))
                if end["type"] == "error":
                    self.assertEqual(end["error"]["code"], "Cancelled")
                else:
                    self.assertEqual((end["type"], len(items)), ("end", 3000))
                self.assertEqual(conn.value("add", 1, 1), 2)


class SingleConnectionSleepTest(unittest.TestCase):
    """A worker serving one connection interrupts time.sleep (main thread)."""

    def test_sleep_60_is_interrupted(self):
        worker = Worker()
        try:
            conn = worker.connect()
            control = worker.connect("control")
            marker = worker.marker("sleeping")
            cid = conn.start_call("sleep", 60, marker)
            self.assertTrue(gbtest.wait_for(lambda: os.path.exists(marker)))
            started = time.monotonic()
            conn.send({"type": "cancel", "id": cid})
            control.send({"type": "cancel", "conn": conn.conn_id, "id": cid})
            msg = conn.recv_msg()
            self.assertLess(time.monotonic() - started, CANCEL_LIMIT)
            self.assertEqual(msg["error"]["code"], "Cancelled")
            self.assertEqual(conn.value("add", 1, 2), 3)
        finally:
            worker.stop()


if __name__ == "__main__":
    unittest.main()
