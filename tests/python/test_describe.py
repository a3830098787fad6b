"""``describe`` against a real worker: each function's mode and parameters."""

import os
import unittest

import gbtest
from gbtest import Worker

DESCRIBE_WORKER = os.path.join(gbtest.WORKERS, "describeworker.py")


class DescribeParamsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.worker = Worker(DESCRIBE_WORKER)
        conn = cls.worker.connect()
        conn.send({"type": "describe", "id": conn.next_id})
        msg = conn.recv_msg()
        conn.next_id += 1
        assert msg["type"] == "result", msg
        cls.entries = {e["name"]: e for e in msg["value"]}
        cls.conn = conn

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop_cleanly()

    def params(self, name):
        return self.entries[name]["params"]

    def test_annotations(self):
        self.assertEqual(self.params("add"), [
            {"name": "a", "kind": "positional_or_keyword", "stream": False,
             "annotation": "int"},
            {"name": "b", "kind": "positional_or_keyword", "stream": False,
             "annotation": "int"},
        ])
        self.assertEqual(self.entries["add"]["signature"],
                         "(a: int, b: int) -> int")
        self.assertEqual(self.entries["add"]["doc"], "Return a + b.")

    def test_default(self):
        factor = self.params("scale")[1]
        self.assertEqual(factor["default"], "2.0")
        self.assertEqual(factor["annotation"], "float")
        self.assertNotIn("default", self.params("scale")[0])

    def test_var_positional(self):
        self.assertEqual(self.params("total")[1], {
            "name": "rest", "kind": "var_positional", "stream": False,
            "annotation": "int"})

    def test_positional_only_and_keyword_only(self):
        name, greeting = self.params("greet")
        self.assertEqual(name["kind"], "positional_only")
        self.assertEqual(greeting["kind"], "keyword_only")
        self.assertEqual(greeting["default"], "'Hello'")
        self.assertEqual(greeting["annotation"], "Optional[str]")

    def test_var_keyword(self):
        self.assertEqual(self.params("options"), [
            {"name": "kw", "kind": "var_keyword", "stream": False,
             "annotation": "int"}])

    def test_streams(self):
        self.assertEqual(self.entries["count_up"]["mode"], "server_stream")
        self.assertFalse(self.params("count_up")[0]["stream"])
        self.assertEqual(self.entries["sum_all"]["mode"], "client_stream")
        self.assertEqual(self.params("sum_all")[0]["annotation"],
                         "Iterator[int]")
        self.assertTrue(self.params("sum_all")[0]["stream"])
        # A string annotation comes without the quotes of the signature.
        self.assertEqual(self.entries["doubled"]["mode"], "bidi")
        self.assertEqual(self.params("doubled")[0]["annotation"],
                         "Iterable[int]")
        self.assertTrue(self.params("doubled")[0]["stream"])

    def test_decorated(self):
        # functools.wraps: the wrapped function's signature.
        self.assertEqual(self.entries["traced"]["signature"],
                         "(a: int, b: int = 1) -> int")
        self.assertEqual([p["name"] for p in self.params("traced")],
                         ["a", "b"])
        self.assertEqual(self.entries["traced"]["doc"], "Traced addition.")
        # Without it: the wrapper's.
        self.assertEqual(self.params("opaque"), [
            {"name": "args", "kind": "var_positional", "stream": False},
            {"name": "kwargs", "kind": "var_keyword", "stream": False}])

    def test_builtin_without_signature(self):
        entry = self.entries["biggest"]
        self.assertNotIn("params", entry)
        self.assertEqual(entry["signature"], "(...)")
        self.assertEqual(entry["mode"], "call")
        self.assertEqual(self.conn.value("biggest", 3, 9, 4), 9)

    def test_params_whenever_there_is_a_signature(self):
        # Every function Python can read a signature of has params.
        for name, entry in self.entries.items():
            if name != "biggest":
                self.assertIsInstance(entry["params"], list, name)


if __name__ == "__main__":
    unittest.main()
