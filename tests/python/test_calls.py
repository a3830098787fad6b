"""Calls, streams, values and errors against a real worker process."""

import json
import os
import unittest

import gbtest
from gbtest import Worker


class WorkerTestCase(unittest.TestCase):
    """One worker for the class; ``self.conn`` is a call connection."""

    @classmethod
    def setUpClass(cls):
        cls.worker = Worker()
        cls.conn = cls.worker.connect()

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop_cleanly()

    def error_of(self, msg):
        self.assertEqual(msg["type"], "error", msg)
        return msg["error"]


class HandshakeAnswerTest(WorkerTestCase):

    def test_hello_answer(self):
        conn = self.worker.raw()
        reply = conn.hello(self.worker.token)
        self.assertEqual(reply["type"], "hello")
        self.assertEqual(reply["version"], 1)
        self.assertIsInstance(reply["conn"], int)
        self.assertEqual(reply["pid"], self.worker.proc.pid)
        self.assertRegex(reply["python"], r"^3\.\d+\.\d+$")
        self.assertEqual(conn.value("pid"), self.worker.proc.pid)

    def test_connection_ids_are_unique(self):
        ids = {self.worker.connect().conn_id for _ in range(3)}
        ids.add(self.worker.connect("control").conn_id)
        ids.add(self.conn.conn_id)
        self.assertEqual(len(ids), 5)

    def test_environment_is_cleared(self):
        for name in ("GOBRIDGE_SOCKET", "GOBRIDGE_TOKEN",
                     "GOBRIDGE_MAX_FRAME"):
            self.assertIsNone(self.conn.value("env_get", name))
        self.assertIsNotNone(self.conn.value("env_get", "PATH"))


class PlainCallTest(WorkerTestCase):

    def test_add(self):
        self.assertEqual(self.conn.value("add", 3, 4), 7)
        self.assertEqual(self.conn.value("add", 0.5, 0.25), 0.75)
        self.assertEqual(self.conn.value("add", "a", "b"), "ab")

    def test_echo_scalars_and_containers(self):
        for value in (None, True, False, 0, -1, 2 ** 63 - 1, -2 ** 63, 1.5,
                      "", "ü € 😀", [], {}, [1, [2, [3]]],
                      {"a": {"b": [None, 1.0, "x"]}}):
            self.assertEqual(self.conn.value("echo", value), value)

    def test_original_examples(self):
        self.assertEqual(self.conn.value("get_user", 42),
                         {"id": 42, "name": "user_42", "score": 63.0})
        users = [{"id": 1, "score": 12.0}, {"id": 2, "score": 3.0}]
        self.assertEqual(
            [u["level"] for u in self.conn.value("enrich_users", users)],
            ["gold", "silver"])

    def test_identity_list_of_dicts(self):
        users = [{"id": i, "name": "user_%d" % i, "score": i * 1.5}
                 for i in range(1000)]
        self.assertEqual(self.conn.value("identity", users), users)

    def test_renamed(self):
        self.assertEqual(self.conn.value("renamed_fn", 1), 2)
        error = self.error_of(self.conn.call("renamed", 1))
        self.assertEqual(error["code"], "UnknownMethod")

    def test_result_frame_format(self):
        cid = self.conn.start_call("add", 1, 2)
        payload = self.conn.recv_frame()
        self.assertEqual(json.loads(payload),
                         {"type": "result", "id": cid, "value": 3})

    def test_stdout_lines_reach_the_host(self):
        self.assertIsNone(self.conn.value("say", "hello from the worker"))
        self.assertTrue(gbtest.wait_for(
            lambda: "hello from the worker\n" in self.worker.stdout()))


class ErrorTest(WorkerTestCase):

    def test_remote_exception(self):
        error = self.error_of(self.conn.call("raise_value_error", "bad x"))
        self.assertEqual(error["code"], "RemoteException")
        self.assertEqual(error["type"], "ValueError")
        self.assertEqual(error["message"], "bad x")
        self.assertIn("Traceback (most recent call last)", error["traceback"])
        self.assertIn("raise_value_error", error["traceback"])
        self.assertIn("ValueError: bad x", error["traceback"])
        self.assertNotIn("_server.py", error["traceback"])

    def test_unknown_method(self):
        error = self.error_of(self.conn.call("no_such_function"))
        self.assertEqual(error["code"], "UnknownMethod")
        self.assertIn("no_such_function", error["message"])
        for name in ("run", "__import__", "os", "_touch", "gobridge"):
            self.assertEqual(
                self.error_of(self.conn.call(name))["code"], "UnknownMethod")

    def test_wrong_argument_count(self):
        for args in ((1,), (1, 2, 3), ()):
            error = self.error_of(self.conn.call("add", *args))
            self.assertEqual(error["code"], "BadArguments", args)
        error = self.error_of(self.conn.call("range_gen", 1))
        self.assertEqual(error["code"], "BadArguments")

    def test_type_error_in_body_is_remote(self):
        error = self.error_of(self.conn.call("raise_type_error_inside", 1))
        self.assertEqual(error["code"], "RemoteException")
        self.assertEqual(error["type"], "TypeError")

    def test_stream_out_mismatch(self):
        error = self.error_of(self.conn.call("add", 1, 2, stream_out=True))
        self.assertEqual(error["code"], "BadArguments")
        error = self.error_of(self.conn.call("range_gen", 1, 3,
                                             stream_out=False))
        self.assertEqual(error["code"], "BadArguments")
        self.assertEqual(self.conn.value("add", 1, 2, stream_out=False), 3)
        items, end = self.conn.stream("range_gen", 1, 3, stream_out=True)
        self.assertEqual((items, end["type"]), ([1, 2], "end"))

    def test_two_stream_arguments(self):
        error = self.error_of(self.conn.call(
            "add", {"$stream": 0}, {"$stream": 0}))
        self.assertEqual(error["code"], "BadArguments")

    def test_connection_survives_errors(self):
        self.conn.call("raise_value_error", "x")
        self.conn.call("nope")
        self.assertEqual(self.conn.value("add", 1, 1), 2)


class ValueErrorTest(WorkerTestCase):

    def test_set_is_type_mismatch(self):
        error = self.error_of(self.conn.call("unjsonable"))
        self.assertEqual(error["code"], "TypeMismatch")
        self.assertIn("result", error["message"])
        self.assertIn("set", error["message"])

    def test_big_int_is_type_mismatch(self):
        error = self.error_of(self.conn.call("big_int"))
        self.assertEqual(error["code"], "TypeMismatch")
        self.assertIn("int", error["message"])
        self.assertIn(str(2 ** 70), error["message"])

    def test_nan_is_type_mismatch(self):
        error = self.error_of(self.conn.call("nan"))
        self.assertEqual(error["code"], "TypeMismatch")
        self.assertIn("float", error["message"])

    def test_path_of_nested_value(self):
        error = self.error_of(self.conn.call("bad_nested"))
        self.assertIn("result.users[1].score", error["message"])

    def test_stream_item_path_after_good_items(self):
        items, end = self.conn.stream("gen_bad_item")
        self.assertEqual(items, [1, 2])
        error = self.error_of(end)
        self.assertEqual(error["code"], "TypeMismatch")
        self.assertIn("items[2]", error["message"])
        self.assertIn("set", error["message"])


    def test_bad_item_met_by_the_flusher(self):
        items, end = self.conn.stream("gen_bad_then_pause", 0.3)
        self.assertEqual(items, [1])
        error = self.error_of(end)
        self.assertEqual(error["code"], "TypeMismatch")
        self.assertIn("items[1]", error["message"])


def nested(depth, leaf=0):
    """``leaf`` inside ``depth`` levels of lists (testworker.nest())."""
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def nested_maps(depth):
    """testworker.nest_maps(depth): one-key "$" maps, 0 innermost."""
    value = 0
    for _ in range(depth):
        value = {"$k": value}
    return value


class NestingTest(WorkerTestCase):
    """At most 200 levels of containers per value (protocol section 3)."""

    def assert_too_deep(self, msg, start):
        error = self.error_of(msg)
        self.assertEqual(error["code"], "TypeMismatch")
        self.assertTrue(error["message"].startswith(start), error)
        self.assertTrue(error["message"].endswith(
            ": nested deeper than 200 levels"), error)

    def test_result_depth_limit(self):
        self.assertEqual(self.conn.value("nest", 200), nested(200))
        # Escaped maps double the levels of JSON, not the value's depth.
        self.assertEqual(self.conn.value("nest_maps", 200), nested_maps(200))
        self.assert_too_deep(self.conn.call("nest", 201), "result[0][0][0]")
        self.assert_too_deep(self.conn.call("nest_maps", 201),
                             'result["$k"]["$k"]')
        # Deeper than the json module encodes at all.
        self.assert_too_deep(self.conn.call("nest", 100000), "result[0][0]")
        self.assertEqual(self.conn.value("add", 1, 2), 3)

    def test_stream_item_depth_limit(self):
        items, end = self.conn.stream("nest_gen", [1, 200, 3, 201, 2])
        self.assertEqual(items, [nested(1), nested(200), nested(3)])
        self.assert_too_deep(end, "items[3][0][0]")
        self.assertEqual(self.conn.value("add", 1, 2), 3)

    def test_argument_depth_limit(self):
        self.assertEqual(self.conn.value("echo", nested(200)), nested(200))
        escaped = 0
        for _ in range(200):
            escaped = {"$map": {"$k": escaped}}
        self.assertEqual(self.conn.value("echo", escaped), nested_maps(200))
        self.assert_too_deep(self.conn.call("echo", 1, nested(201)),
                             "args[1][0][0]")
        self.assertEqual(self.conn.value("add", 1, 2), 3)

    def test_input_depth_limit(self):
        cid = self.conn.start_call("sum_stream", {"$stream": 0})
        self.assertEqual(self.conn.recv_msg()["type"], "credit")
        self.conn.send({"type": "chunk", "id": cid, "items": [1, 2]})
        self.conn.send({"type": "chunk", "id": cid,
                        "items": [3, nested(201)]})
        _, end, _ = self.conn.collect(cid)
        self.assert_too_deep(end, "input[3][0][0]")
        self.assertEqual(self.conn.value("add", 1, 2), 3)


class BytesTest(WorkerTestCase):

    def test_small_roundtrip_on_the_wire(self):
        data = bytes(range(256))
        cid = self.conn.start_call("bytes_echo", {"$bytes": 0}, atts=[data])
        msg, atts = self.conn.recv()
        self.assertEqual(msg, {"type": "result", "id": cid, "att": 1,
                               "value": {"$bytes": 0}})
        self.assertEqual(atts, [data])

    def test_8_mib_roundtrip(self):
        data = os.urandom(8 * 1024 * 1024)
        self.assertEqual(
            self.conn.value("bytes_echo", {"$bytes": 0}, atts=[data]), data)
        self.assertEqual(
            self.conn.value("bytes_len", {"$bytes": 0}, atts=[data]),
            len(data))

    def test_bytes_inside_structures(self):
        value = {"a": [{"$bytes": 1}, "x"], "b": {"$bytes": 0}}
        self.assertEqual(
            self.conn.value("echo", value, atts=[b"zero", b""]),
            {"a": [b"", "x"], "b": b"zero"})

    def test_bytes_in_stream_items(self):
        cid = self.conn.start_call("process_users", {"$stream": 0})
        self.assertEqual(self.conn.recv_msg()["type"], "credit")
        self.conn.send({"type": "chunk", "id": cid, "items": [
            {"id": 1, "name": "a", "score": 1}]})
        self.conn.send({"type": "end", "id": cid})
        items, end, _ = self.conn.collect(cid)
        self.assertEqual(items, [{"id": 1, "name": "A", "score": 2}])
        self.assertEqual(end["type"], "end")


class EscapingTest(WorkerTestCase):

    def test_dollar_map_is_escaped_on_the_wire(self):
        cid = self.conn.start_call("echo", {"$map": {"$x": 1}})
        payload = self.conn.recv_frame()
        self.assertEqual(
            payload,
            b'{"type":"result","id":%d,"value":{"$map":{"$x":1}}}' % cid)

    def test_roundtrips(self):
        for value in ({"$x": 1}, {"$bytes": 3}, {"$stream": 0},
                      {"$map": {"a": 1, "b": 2}}, {"$a": 1, "$b": 2},
                      [{"$map": {"$map": {"$x": [1]}}}]):
            sent = json.loads(json.dumps(value))

            def escape(v):
                if isinstance(v, list):
                    return [escape(i) for i in v]
                if isinstance(v, dict):
                    inner = {k: escape(i) for k, i in v.items()}
                    if len(inner) == 1 and next(iter(inner)).startswith("$"):
                        return {"$map": inner}
                    return inner
                return v
            self.assertEqual(self.conn.value("echo", escape(sent)), value)

    def test_unknown_marker_from_host_fails_the_call(self):
        conn = self.worker.connect()
        error = self.error_of(conn.call("echo", {"$foo": 1}))
        self.assertEqual(error["code"], "ProtocolError")
        self.assertIn("$foo", error["message"])
        self.assertEqual(conn.value("add", 1, 2), 3)


class StreamTest(WorkerTestCase):

    def test_server_streams(self):
        items, end = self.conn.stream("range_gen", 1, 6)
        self.assertEqual((items, end["type"]), ([1, 2, 3, 4, 5], "end"))
        items, _ = self.conn.stream("gen_users", 3)
        self.assertEqual(items[2], {"id": 3, "name": "user_3", "score": 9.0})
        items, end = self.conn.stream("range_gen", 5, 5)
        self.assertEqual((items, end["type"]), ([], "end"))

    def test_fast_stream_is_batched(self):
        cid = self.conn.start_call("fast_gen", 20000, window=100000)
        items, end, chunks = self.conn.collect(cid)
        self.assertEqual(items, list(range(20000)))
        self.assertEqual(end, {"type": "end", "id": cid})
        self.assertLess(chunks, 2000)

    def test_generator_error_after_three_items(self):
        items, end = self.conn.stream("gen_then_raise", 3)
        self.assertEqual(items, [0, 1, 2])
        error = self.error_of(end)
        self.assertEqual(error["code"], "RemoteException")
        self.assertEqual(error["type"], "RuntimeError")
        self.assertEqual(error["message"], "boom after 3")

    def test_client_stream(self):
        cid = self.conn.start_call("sum_stream", {"$stream": 0})
        self.assertEqual(self.conn.recv_msg(),
                         {"type": "credit", "id": cid, "n": 1024})
        self.conn.send({"type": "chunk", "id": cid, "items": [1, 2, 3]})
        self.conn.send({"type": "chunk", "id": cid, "items": [4, 5]})
        self.conn.send({"type": "end", "id": cid})
        self.assertEqual(self.conn.recv_msg(),
                         {"type": "result", "id": cid, "value": 15})

    def test_client_stream_credit_is_replenished(self):
        total = 5000
        cid = self.conn.start_call("sum_stream", {"$stream": 0})
        credit = 0
        sent = 0
        while sent < total:
            while credit == 0:
                msg = self.conn.recv_msg()
                self.assertEqual((msg["type"], msg["id"]), ("credit", cid))
                credit += msg["n"]
            count = min(credit, total - sent, 300)
            self.conn.send({"type": "chunk", "id": cid,
                            "items": list(range(sent, sent + count))})
            sent += count
            credit -= count
        self.conn.send({"type": "end", "id": cid})
        while True:
            msg = self.conn.recv_msg()
            if msg["type"] != "credit":
                break
        self.assertEqual(msg, {"type": "result", "id": cid,
                               "value": total * (total - 1) // 2})

    def test_bidi(self):
        cid = self.conn.start_call("process_users", {"$stream": 0})
        self.assertEqual(self.conn.recv_msg()["type"], "credit")
        users = [{"id": i, "name": "u%d" % i, "score": i} for i in range(50)]
        # Interleave: each item goes out before the next comes in.
        got = []
        for user in users[:5]:
            self.conn.send({"type": "chunk", "id": cid, "items": [user]})
            msg = self.conn.recv_msg()
            self.assertEqual(msg["type"], "chunk")
            got.extend(msg["items"])
        self.conn.send({"type": "chunk", "id": cid, "items": users[5:]})
        self.conn.send({"type": "end", "id": cid})
        items, end, _ = self.conn.collect(cid)
        got.extend(items)
        self.assertEqual(end["type"], "end")
        self.assertEqual(got, [{"id": u["id"], "name": u["name"].upper(),
                                "score": u["score"] * 2} for u in users])

    def test_stale_input_is_dropped(self):
        cid = self.conn.start_call("add", 1, 2)
        self.assertEqual(self.conn.recv_msg()["value"], 3)
        self.conn.send({"type": "chunk", "id": cid, "items": [1]})
        self.conn.send({"type": "credit", "id": cid, "n": 5})
        self.conn.send({"type": "end", "id": cid})
        self.assertEqual(self.conn.value("add", 2, 2), 4)


class DescribeTest(WorkerTestCase):

    def test_describe(self):
        self.conn.send({"type": "describe", "id": self.conn.next_id})
        msg = self.conn.recv_msg()
        self.conn.next_id += 1
        self.assertEqual(msg["type"], "result")
        entries = {e["name"]: e for e in msg["value"]}
        self.assertEqual(entries["add"]["signature"],
                         "(a: int, b: int) -> int")
        self.assertEqual(entries["add"]["doc"], "Return a + b.")
        self.assertEqual(entries["add"]["mode"], "call")
        self.assertEqual(entries["range_gen"]["mode"], "server_stream")
        self.assertEqual(entries["sum_stream"]["mode"], "client_stream")
        self.assertEqual(entries["process_users"]["mode"], "bidi")
        self.assertIn("renamed_fn", entries)
        self.assertNotIn("renamed", entries)
        self.assertNotIn("_touch", entries)
        self.assertEqual(self.conn.value("add", 1, 2), 3)


class ControlTest(WorkerTestCase):

    def test_ping(self):
        control = self.worker.connect("control")
        for seq in (1, 2, 99):
            control.send({"type": "ping", "seq": seq})
            self.assertEqual(control.recv_msg(), {"type": "pong", "seq": seq})

    def test_control_runs_no_functions(self):
        control = self.worker.connect("control")
        marker = self.worker.marker("control-call")
        control.send({"type": "call", "id": 1, "method": "touch",
                      "args": [marker]})
        self.assertTrue(control.closed_by_peer())
        self.assertFalse(os.path.exists(marker))

    def test_cancel_for_unknown_connection_is_ignored(self):
        control = self.worker.connect("control")
        control.send({"type": "cancel", "conn": 99999, "id": 1})
        control.send({"type": "ping", "seq": 7})
        self.assertEqual(control.recv_msg(), {"type": "pong", "seq": 7})


if __name__ == "__main__":
    unittest.main()
