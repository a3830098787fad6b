"""Every protocol violation of docs/protocol.md (sections 4 and 8), one table.

Each case sets up a connection in a known state, sends the bad bytes with the
raw test host and checks the documented reaction exactly:

* CLOSE: an ``error`` without id, code ProtocolError, then the worker closes
  the connection;
* FAIL: the call fails alone: an ``error`` with the call's id and the given
  code (and message start); the same connection then serves a new call;
* REFUSE: the handshake is refused: an ``error`` without id with the given
  code, then the worker closes the connection.

After every case the worker process must still run and serve a new
connection.
"""

import os
import socket
import struct
import unittest

from gbtest import Worker

_HEADER = struct.Struct(">I")

CLOSE = "close"
FAIL = "fail"
REFUSE = "refuse"

# Connection states a case starts from (see ViolationTest.setup).
RAW = "raw"              # connected, no handshake
CONN = "conn"            # a call connection after the handshake
AFTER_CALL = "after"     # a call connection whose call 1 has ended
INPUT = "input"          # call 1 reads its input: read_forever($stream)
INPUT_3 = "input3"       # the same, after a chunk of 3 items
CREDIT = "credit"        # call 1 waits for output credit: fast_gen, window 0
ENDED = "ended"          # call 1 got its input's end and waits for credit
CONTROL = "control"      # the control connection

HELLO = ('{"type":"hello","version":1,"role":"call","token":"%(token)s"}')


def nested(depth):
    """JSON text of a list nested ``depth`` levels around 0."""
    return "[" * depth + "0" + "]" * depth


def call(args, cid="%(id)d", method="echo"):
    return ('{"type":"call","id":%s,"method":"%s","args":[%s]}'
            % (cid, method, args))


def chunk(items, cid="%(id)d"):
    return '{"type":"chunk","id":%s,"items":[%s]}' % (cid, items)


def frame(payload):
    """A frame: payload is a str template (filled with the case context,
    then UTF-8) or raw bytes."""
    return ("frame", payload)


def raw(data):
    """Bytes sent as they are (not a frame)."""
    return ("raw", data)


#: (name, starting state, what to send, reaction, code, message start)
CASES = [
    # -- section 4: the handshake -------------------------------------------
    ("first message not hello", RAW,
     [frame(call("1", cid="1", method="touch"))], REFUSE, "ProtocolError", ""),
    ("first frame not JSON", RAW, [frame(b"\x00garbage")],
     REFUSE, "ProtocolError", ""),
    ("first frame above the maximum", RAW,
     [raw(_HEADER.pack(0xFFFFFFFF))], REFUSE, "ProtocolError", ""),
    ("first frame cut short", RAW,
     [raw(_HEADER.pack(100) + b'{"type":'), "shut"],
     REFUSE, "ProtocolError", ""),
    ("hello with a repeated key", RAW,
     [frame('{"type":"hello","version":1,"role":"call",'
            '"token":"%(token)s","token":"%(token)s"}')],
     REFUSE, "ProtocolError", ""),
    ("hello nested deeper than 512 levels", RAW,
     [frame(HELLO[:-1] + ',"x":' + nested(520) + "}")],
     REFUSE, "ProtocolError", ""),
    ("hello with a wrong token", RAW,
     [frame('{"type":"hello","version":1,"role":"call","token":"%s"}'
            % ("0" * 64))], REFUSE, "Unauthorized", ""),
    ("hello without a token", RAW,
     [frame('{"type":"hello","version":1,"role":"call"}')],
     REFUSE, "Unauthorized", ""),
    ("hello with a token that is not a string", RAW,
     [frame('{"type":"hello","version":1,"role":"call","token":7}')],
     REFUSE, "Unauthorized", ""),
    ("hello with a wrong token and version", RAW,
     [frame('{"type":"hello","version":2,"role":"call","token":"x"}')],
     REFUSE, "Unauthorized", ""),
    ("hello with version 2", RAW,
     [frame('{"type":"hello","version":2,"role":"call",'
            '"token":"%(token)s"}')], REFUSE, "ProtocolError", ""),
    ("hello with version \"1\"", RAW,
     [frame('{"type":"hello","version":"1","role":"call",'
            '"token":"%(token)s"}')], REFUSE, "ProtocolError", ""),
    ("hello with an unknown role", RAW,
     [frame('{"type":"hello","version":1,"role":"admin",'
            '"token":"%(token)s"}')], REFUSE, "ProtocolError", ""),
    ("hello with attachments", RAW,
     [frame(HELLO[:-1] + ',"att":1}'), frame(b"x")],
     REFUSE, "ProtocolError", ""),

    # -- section 8: the connection closes -----------------------------------
    ("frame above the maximum", CONN, [raw(_HEADER.pack(1 << 20) + b"{")],
     CLOSE, "", ""),
    ("attachment above the maximum", CONN,
     [frame(call('{"$bytes":0}')[:-1] + ',"att":1}'),
      raw(_HEADER.pack(1 << 20) + b"x")], CLOSE, "", ""),
    ("connection closed inside a frame", CONN,
     [raw(_HEADER.pack(100) + b'{"type":"call"'), "shut"], CLOSE, "", ""),
    ("connection closed before an attachment", CONN,
     [frame(call('{"$bytes":0}')[:-1] + ',"att":2}'), frame(b"one"), "shut"],
     CLOSE, "", ""),
    ("payload not UTF-8", CONN, [frame(b'{"type":"call","method":"\xff"}')],
     CLOSE, "", ""),
    ("payload not JSON", CONN, [frame('{"type": "call", ')], CLOSE, "", ""),
    ("NaN in a payload", CONN, [frame(call("NaN"))], CLOSE, "", ""),
    ("payload not an object", CONN, [frame("[1, 2, 3]")], CLOSE, "", ""),
    ("payload a marker object", CONN, [frame('{"$bytes":0}')], CLOSE, "", ""),
    ("repeated key in the message", CONN,
     [frame('{"type":"call","id":1,"method":"nope","method":"touch",'
            '"args":["%(marker)s"]}')], CLOSE, "", ""),
    ("repeated key in an argument", CONN,
     [frame(call('{"a":1,"b":2,"a":3}'))], CLOSE, "", ""),
    ("repeated key with colons in strings", CONN,
     [frame(call('{"at":"12:00","at" : "13:00"}'))], CLOSE, "", ""),
    ("repeated key with a quote and colon in a string", CONN,
     [frame(call('{"a":"x\\":y","a":1}'))], CLOSE, "", ""),
    ("repeated key in input", INPUT, [frame(chunk('{"n":1,"n":2}'))],
     CLOSE, "", ""),
    ("message nested 513 levels", CONN, [frame(call(nested(511)))],
     CLOSE, "", ""),
    ("message too deep to decode", CONN, [frame(call(nested(30000)))],
     CLOSE, "", ""),
    ("type missing", CONN, [frame('{"id":1}')], CLOSE, "", ""),
    ("type unknown", CONN, [frame('{"type":"launch","id":1}')],
     CLOSE, "", ""),
    ("type of the worker: result", CONN,
     [frame('{"type":"result","id":1,"value":1}')], CLOSE, "", ""),
    ("type not a string", CONN, [frame('{"type":["call"],"id":1}')],
     CLOSE, "", ""),
    ("att 0", CONN, [frame(call("1,2", method="add")[:-1] + ',"att":0}')],
     CLOSE, "", ""),
    ("att negative", CONN,
     [frame(call("1,2", method="add")[:-1] + ',"att":-1}')], CLOSE, "", ""),
    ("att not an integer", CONN,
     [frame(call("1,2", method="add")[:-1] + ',"att":"1"}')], CLOSE, "", ""),
    ("att null", CONN,
     [frame(call("1,2", method="add")[:-1] + ',"att":null}')], CLOSE, "", ""),
    ("hello after the handshake", CONN, [frame(HELLO)], CLOSE, "", ""),
    ("ping on a call connection", CONN, [frame('{"type":"ping","seq":1}')],
     CLOSE, "", ""),
    ("call on the control connection", CONTROL,
     [frame(call('"%(marker)s"', cid="1", method="touch"))], CLOSE, "", ""),
    ("describe on the control connection", CONTROL,
     [frame('{"type":"describe","id":1}')], CLOSE, "", ""),
    ("chunk on the control connection", CONTROL, [frame(chunk("1", "1"))],
     CLOSE, "", ""),
    ("hello on the control connection", CONTROL, [frame(HELLO)],
     CLOSE, "", ""),
    ("call id missing", CONN,
     [frame('{"type":"call","method":"add","args":[1,2]}')], CLOSE, "", ""),
    ("call id 0", CONN, [frame(call("1,2", cid="0", method="add"))],
     CLOSE, "", ""),
    ("call id a string", CONN, [frame(call("1,2", cid='"1"', method="add"))],
     CLOSE, "", ""),
    ("call id above 2^63-1", CONN,
     [frame(call("1,2", cid=str(2 ** 63), method="add"))], CLOSE, "", ""),
    ("credit id not an integer", CREDIT,
     [frame('{"type":"credit","id":1.0,"n":5}')], CLOSE, "", ""),
    ("reused call id", AFTER_CALL, [frame(call("1,2", cid="1", method="add"))],
     CLOSE, "", ""),
    ("reused id for describe", AFTER_CALL,
     [frame('{"type":"describe","id":1}')], CLOSE, "", ""),
    ("chunk for a call never started", CONN, [frame(chunk("1", "7"))],
     CLOSE, "", ""),
    ("credit for a call never started", CONN,
     [frame('{"type":"credit","id":7,"n":1}')], CLOSE, "", ""),
    ("cancel for a call never started", CONN,
     [frame('{"type":"cancel","id":7}')], CLOSE, "", ""),
    ("end for a later call while one runs", INPUT,
     [frame('{"type":"end","id":%(next)d}')], CLOSE, "", ""),
    ("call while a call runs", INPUT,
     [frame(call("1,2", cid="%(next)d", method="add"))], CLOSE, "", ""),
    ("describe while a call runs", CREDIT,
     [frame('{"type":"describe","id":%(next)d}')], CLOSE, "", ""),
    ("ping without seq", CONTROL, [frame('{"type":"ping"}')], CLOSE, "", ""),
    ("ping seq not an integer", CONTROL, [frame('{"type":"ping","seq":"1"}')],
     CLOSE, "", ""),
    ("control cancel without conn", CONTROL,
     [frame('{"type":"cancel","id":1}')], CLOSE, "", ""),
    ("control cancel id 0", CONTROL,
     [frame('{"type":"cancel","conn":1,"id":0}')], CLOSE, "", ""),

    # -- section 8: the call fails ------------------------------------------
    ("call method not a string", CONN,
     [frame('{"type":"call","id":%(id)d,"method":7,"args":[]}')],
     FAIL, "ProtocolError", ""),
    ("call args not an array", CONN,
     [frame('{"type":"call","id":%(id)d,"method":"add","args":{"a":1}}')],
     FAIL, "ProtocolError", ""),
    ("call args missing", CONN,
     [frame('{"type":"call","id":%(id)d,"method":"add"}')],
     FAIL, "ProtocolError", ""),
    ("call window negative", CONN,
     [frame(call("1,3", method="range_gen")[:-1] + ',"window":-1}')],
     FAIL, "ProtocolError", ""),
    ("call window not an integer", CONN,
     [frame(call("1,3", method="range_gen")[:-1] + ',"window":"9"}')],
     FAIL, "ProtocolError", ""),
    ("call stream_out not a boolean", CONN,
     [frame(call("1,2", method="add")[:-1] + ',"stream_out":1}')],
     FAIL, "ProtocolError", ""),
    ("unknown marker in an argument", CONN, [frame(call('{"$foo":1}'))],
     FAIL, "ProtocolError", ""),
    ("$bytes without its attachment", CONN, [frame(call('{"$bytes":0}'))],
     FAIL, "ProtocolError", ""),
    ("$bytes index past the attachments", CONN,
     [frame(call('{"$bytes":1}')[:-1] + ',"att":1}'), frame(b"x")],
     FAIL, "ProtocolError", ""),
    ("$bytes index not an integer", CONN,
     [frame(call('{"$bytes":"0"}')[:-1] + ',"att":1}'), frame(b"x")],
     FAIL, "ProtocolError", ""),
    ("$map not holding an object", CONN, [frame(call('{"$map":3}'))],
     FAIL, "ProtocolError", ""),
    ("$stream nested in an argument", CONN,
     [frame(call('[{"$stream":0}]'))], FAIL, "ProtocolError", ""),
    ("$stream not 0", CONN,
     [frame(call('{"$stream":1}', method="sum_stream"))],
     FAIL, "ProtocolError", ""),
    ("argument nested 201 levels", CONN, [frame(call(nested(201)))],
     FAIL, "TypeMismatch", "args[0][0][0]"),
    ("second argument nested 510 levels", CONN,
     [frame(call("1," + nested(510)))], FAIL, "TypeMismatch", "args[1][0]"),
    ("credit n negative", CREDIT,
     [frame('{"type":"credit","id":%(id)d,"n":-1}')],
     FAIL, "ProtocolError", ""),
    ("credit n not an integer", CREDIT,
     [frame('{"type":"credit","id":%(id)d,"n":"5"}')],
     FAIL, "ProtocolError", ""),
    ("input for a call without a stream argument", CREDIT,
     [frame(chunk("1"))], FAIL, "ProtocolError", ""),
    ("end for a call without a stream argument", CREDIT,
     [frame('{"type":"end","id":%(id)d}')], FAIL, "ProtocolError", ""),
    ("chunk after end", ENDED, [frame(chunk("1"))], FAIL, "ProtocolError", ""),
    ("end after end", ENDED, [frame('{"type":"end","id":%(id)d}')],
     FAIL, "ProtocolError", ""),
    ("more input than credit", INPUT, [frame(chunk(",".join(["0"] * 1025)))],
     FAIL, "ProtocolError", ""),
    ("more input than credit, sent before the first credit", CONN,
     [frame(call('{"$stream":0}', method="read_forever")),
      frame(chunk(",".join(["0"] * 1025)))], FAIL, "ProtocolError", ""),
    ("chunk items not an array", INPUT,
     [frame('{"type":"chunk","id":%(id)d,"items":5}')],
     FAIL, "ProtocolError", ""),
    ("chunk without items", INPUT, [frame('{"type":"chunk","id":%(id)d}')],
     FAIL, "ProtocolError", ""),
    ("unknown marker in input", INPUT, [frame(chunk('{"$foo":1}'))],
     FAIL, "ProtocolError", ""),
    ("$stream in input", INPUT, [frame(chunk('{"$stream":0}'))],
     FAIL, "ProtocolError", ""),
    ("input item nested 201 levels", INPUT_3,
     [frame(chunk("1," + nested(201)))], FAIL, "TypeMismatch", "input[4][0]"),
]


class ViolationTest(unittest.TestCase):
    """Runs CASES against one worker (max frame 64 KiB)."""

    @classmethod
    def setUpClass(cls):
        cls.worker = Worker(max_frame=64 * 1024)

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop_cleanly()

    def setup(self, state):
        """A connection in ``state``; returns it and the running call's id
        (the id the next call takes where none runs)."""
        worker = self.worker
        if state == RAW:
            return worker.raw(), 1
        if state == CONTROL:
            return worker.connect("control"), 1
        conn = worker.connect()
        if state == CONN:
            return conn, 1
        if state == AFTER_CALL:
            self.assertEqual(conn.value("add", 1, 2), 3)
            return conn, 2
        if state == CREDIT:
            cid = conn.start_call("fast_gen", 10, window=0)
            self.assertTrue(conn.quiet_for(0.05))
            return conn, cid
        method = "tally_gen" if state == ENDED else "read_forever"
        cid = conn.start_call(method, {"$stream": 0}, window=0)
        self.assertEqual(conn.recv_msg(), {"type": "credit", "id": cid,
                                           "n": 1024})
        if state == INPUT_3:
            conn.send({"type": "chunk", "id": cid, "items": [1, 2, 3]})
        if state == ENDED:
            conn.send({"type": "end", "id": cid})
            self.assertTrue(conn.quiet_for(0.05))
        return conn, cid

    def next_answer(self, conn):
        """The next message that is not a credit."""
        while True:
            msg = conn.recv_msg()
            if msg["type"] != "credit":
                return msg

    def check(self, index, state, sends, reaction, code, start):
        conn, cid = self.setup(state)
        marker = self.worker.marker("ran-%d" % index)
        context = {"id": cid, "next": cid + 1, "token": self.worker.token,
                   "marker": marker}
        for item in sends:
            try:
                if item == "shut":
                    conn.sock.shutdown(socket.SHUT_WR)
                    continue
                kind, data = item
                if isinstance(data, str):
                    data = (data % context).encode("utf-8")
                conn.send_raw(_HEADER.pack(len(data)) + data
                              if kind == "frame" else data)
            except (BrokenPipeError, ConnectionResetError):
                break       # the worker closed while the test was sending
        msg = self.next_answer(conn)
        self.assertEqual(msg["type"], "error", msg)
        if reaction == FAIL:
            self.assertEqual(msg.get("id"), cid, msg)
            self.assertEqual(msg["error"]["code"], code, msg)
            self.assertTrue(msg["error"]["message"].startswith(start), msg)
            # The connection stays usable.
            conn.next_id = cid + 1
            self.assertEqual(conn.value("add", 2, 3), 5)
        else:
            self.assertNotIn("id", msg)
            self.assertEqual(msg["error"]["code"],
                             code or "ProtocolError", msg)
            self.assertTrue(conn.closed_by_peer(), "still open")
        self.assertIsNone(self.worker.proc.poll(), self.worker.stderr())
        fresh = self.worker.connect()
        self.assertEqual(fresh.value("add", 1, 2), 3)
        self.assertFalse(os.path.exists(marker), "a function ran")

    def test_every_violation(self):
        names = [case[0] for case in CASES]
        self.assertEqual(len(names), len(set(names)))
        for index, case in enumerate(CASES):
            with self.subTest(case[0]):
                self.check(index, *case[1:])


class InputBeforeCreditTest(unittest.TestCase):
    """Input sent right after the call, before the first credit arrived
    (protocol section 5): up to the first credit (1024 items) it is
    accepted, beyond it the call fails."""

    def test_input_before_the_first_credit(self):
        worker = Worker()
        try:
            conn = worker.connect()
            for msg in ({"type": "call", "id": 1, "method": "sum_stream",
                         "args": [{"$stream": 0}]},
                        {"type": "chunk", "id": 1, "items": list(range(1000))},
                        {"type": "chunk", "id": 1, "items": [1] * 24},
                        {"type": "end", "id": 1}):
                conn.send(msg)
            items, terminal, _ = conn.collect(1)
            self.assertEqual(items, [])
            self.assertEqual(terminal, {"type": "result", "id": 1,
                                        "value": sum(range(1000)) + 24})
            for msg in ({"type": "call", "id": 2, "method": "sum_stream",
                         "args": [{"$stream": 0}]},
                        {"type": "chunk", "id": 2, "items": [1] * 1025},
                        {"type": "end", "id": 2}):
                conn.send(msg)
            _, terminal, _ = conn.collect(2)
            self.assertEqual((terminal["type"], terminal["error"]["code"]),
                             ("error", "ProtocolError"))
            conn.next_id = 3
            self.assertEqual(conn.value("add", 1, 2), 3)
        finally:
            worker.stop()


if __name__ == "__main__":
    unittest.main()
