"""Progress reports and logging records of a real worker (protocol §5, §6)."""

import json
import logging
import time
import unittest

from gbtest import Worker, wait_for
from test_calls import WorkerTestCase

from gobridge import _progress


class ProgressTest(WorkerTestCase):

    def progress_of(self):
        reports = [m for m in self.conn.reports if m["type"] == "progress"]
        for msg in reports:
            self.assertEqual(set(msg) - {"type", "id", "done", "total", "text"},
                             set(), msg)
        return reports

    def test_tight_loop_is_throttled_and_the_last_report_arrives(self):
        n = 200000
        start = time.monotonic()
        self.assertEqual(self.conn.value("count_progress", n), n)
        elapsed = time.monotonic() - start
        reports = self.progress_of()
        self.assertGreaterEqual(len(reports), 1)
        # At most one report per interval, plus the first and the last.
        self.assertLessEqual(len(reports),
                             elapsed / _progress.INTERVAL + 2, reports[:5])
        self.assertEqual(reports[-1]["done"], n)
        self.assertEqual(reports[-1]["total"], n)
        dones = [m["done"] for m in reports]
        self.assertEqual(dones, sorted(dones))

    def test_text_and_absent_total(self):
        self.conn.value("count_progress", 3, True)
        last = self.progress_of()[-1]
        self.assertEqual(last["text"], "step 3")
        self.conn.value("progress_outside")
        self.assertEqual(self.progress_of(), [])

    def test_last_report_goes_out_while_the_call_still_runs(self):
        cid = self.conn.start_call("progress_then_sleep", 1000, 1.0)
        # The reports before the sleep, the last one included, arrive long
        # before the result: the flusher sends the one that waited.
        deadline = time.monotonic() + 0.8
        last = None
        while time.monotonic() < deadline and (last is None
                                                or last["done"] != 1000):
            msg, _ = self.conn.recv(timeout=deadline - time.monotonic())
            self.assertEqual(msg["type"], "progress", msg)
            self.assertEqual(msg["id"], cid)
            last = msg
        self.assertEqual(last["done"], 1000)
        msg, _ = self.conn.recv()
        self.assertEqual(msg, {"type": "result", "id": cid, "value": "slept"})

    def test_generator_reports_between_items(self):
        items, terminal = self.conn.stream("progress_gen", 500)
        self.assertEqual(items, list(range(500)))
        self.assertEqual(terminal["type"], "end")
        self.assertEqual(self.progress_of()[-1]["done"], 500)

    def test_other_thread_reports_through_the_handle(self):
        self.assertEqual(self.conn.value("progress_from_thread", 1000), 1000)
        last = self.progress_of()[-1]
        self.assertEqual((last["done"], last["total"], last["text"]),
                         (1000, 1000, "thread"))

    def test_bad_values_raise_in_the_function(self):
        for kind, exc_type in (("str", "TypeError"), ("nan", "ValueError"),
                               ("huge", "ValueError"), ("text", "TypeError")):
            with self.subTest(kind=kind):
                msg = self.conn.call("progress_bad", kind)
                self.assertEqual(msg["type"], "error", msg)
                self.assertEqual(msg["error"]["code"], "RemoteException")
                self.assertEqual(msg["error"]["type"], exc_type)
                self.assertIn("gobridge.progress()", msg["error"]["message"])

    def test_outside_a_call_does_nothing(self):
        self.assertIs(self.conn.value("progress_outside"), True)


class LoggingTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.worker = Worker(env={"GOBRIDGE_LOG_LEVEL": "DEBUG"})
        cls.conn = cls.worker.connect()

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop_cleanly()

    def test_records_of_a_call_come_before_its_result(self):
        self.assertEqual(self.conn.value("log_records", 3, logging.INFO), 3)
        logs = [m for m in self.conn.reports if m["type"] == "log"]
        self.assertEqual([m["message"] for m in logs],
                         ["record 0 of 3", "record 1 of 3", "record 2 of 3"])
        first = logs[0]
        self.assertEqual(first["level"], logging.INFO)
        self.assertEqual(first["logger"], "tw.calls")
        self.assertTrue(first["file"].endswith("testworker.py"))
        self.assertEqual(first["func"], "log_records")
        self.assertIsInstance(first["line"], int)
        self.assertAlmostEqual(first["time"], time.time(), delta=60)

    def test_level_from_the_environment(self):
        self.conn.value("log_records", 1, logging.DEBUG)
        self.assertEqual(len(self.conn.reports), 1)

    def test_exception_text(self):
        self.conn.value("log_exception")
        (record,) = self.conn.reports
        self.assertEqual(record["level"], logging.ERROR)
        self.assertIn("ZeroDivisionError", record["exc"])
        self.assertIn("Traceback", record["exc"])

    def test_record_outside_a_call_goes_on_the_control_connection(self):
        control = self.worker.connect("control")
        self.assertIsNone(self.conn.value("log_outside", "from a thread"))
        self.assertEqual(self.conn.reports, [])
        msg, _ = control.recv()
        self.assertEqual(msg["type"], "log")
        self.assertNotIn("id", msg)
        self.assertEqual(msg["message"], "from a thread")
        self.assertEqual(msg["thread"], "outside")
        control.send({"type": "ping", "seq": 7})
        self.assertEqual(control.recv_msg(), {"type": "pong", "seq": 7})
        control.close()

    def test_a_long_message_is_cut_to_fit(self):
        worker = Worker(max_frame=4096)
        try:
            conn = worker.connect()
            conn.value("log_records", 1, logging.WARNING, "x" * 3000)
            (record,) = conn.reports
            self.assertLessEqual(len(json.dumps(record)), 4096)
            self.assertTrue(record["logger"].endswith("[truncated]"))
        finally:
            worker.stop_cleanly()


class WithoutLevelTest(unittest.TestCase):

    def test_python_default_passes_warning_and_up(self):
        worker = Worker()
        try:
            conn = worker.connect()
            conn.value("log_records", 1, logging.INFO)
            self.assertEqual(conn.reports, [])
            conn.value("log_records", 1, logging.WARNING)
            self.assertEqual(len(conn.reports), 1)
            # Without a control connection, a record outside a call goes to
            # stderr (Python's last resort), not nowhere.
            conn.value("log_outside", "to stderr")
            self.assertTrue(wait_for(lambda: "to stderr" in worker.stderr()),
                            worker.stderr())
        finally:
            worker.stop_cleanly()


if __name__ == "__main__":
    unittest.main()
