#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_wire (tests/fuzz/corpus/): small byte
streams as a worker could send them, valid and invalid (docs/protocol.md).

Run it again after changing the seeds; the files are committed."""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def frame(payload):
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return struct.pack(">I", len(payload)) + payload


def msg(obj, atts=()):
    if atts:
        obj = dict(obj, att=len(atts))
    out = frame(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))
    for a in atts:
        out += frame(a)
    return out


SEEDS = {
    # valid
    "hello": msg({"type": "hello", "version": 1, "conn": 3, "pid": 4711,
                  "python": "3.11.7"}),
    "result_int": msg({"type": "result", "id": 1, "value": 7}),
    "result_nested": msg({"type": "result", "id": 2, "value": {
        "users": [{"id": 1, "name": "h\u00e9llo \U0001F40D", "score": 1.5,
                   "tags": [], "x": None, "ok": True}],
        "$map": {"$map": {"$bytes": 0}}, "big": -9223372036854775808,
        "f": 1e-300, "esc": "\"\\/\b\f\n\r\t\u0001"}}),
    "chunk_stream": b"".join(
        msg({"type": "chunk", "id": 5, "items": list(range(i, i + 4))})
        for i in range(0, 12, 4)) + msg({"type": "end", "id": 5}),
    "bytes_attachments": msg({"type": "result", "id": 3,
                              "value": [{"$bytes": 1}, {"$bytes": 0}]},
                             [b"\x00\xff\x80", b""]),
    "error_msg": msg({"type": "error", "id": 4, "error": {
        "code": "RemoteException", "message": "division by zero",
        "type": "ZeroDivisionError", "traceback": "Traceback ..."}}),
    "credit_pong": msg({"type": "credit", "id": 9, "n": 1024})
    + msg({"type": "pong", "seq": 12}),
    "escaped_surrogates": frame(b'{"type":"result","id":1,'
                                b'"value":"\\ud83d\\udc0d \\u00e9\\u0000"}'),
    # invalid
    "too_large_length": struct.pack(">I", 0xFFFFFFF0) + b'{"type":"x"}',
    "truncated": frame('{"type":"result","id":1,"value":[1,2,3]}')[:20],
    "invalid_utf8": frame(b'{"type":"result","id":1,"value":"\xc3\x28\xed\xa0\x80"}'),
    "non_object": frame("[1,2,3]"),
    "no_type": frame('{"id":1,"value":2}'),
    "bad_marker": frame('{"type":"result","id":1,"value":{"$evil":1}}'),
    "missing_attachment": msg({"type": "result", "id": 1,
                               "value": {"$bytes": 3}}, [b"a"]),
    "int_overflow": frame('{"type":"result","id":1,"value":9223372036854775808}'),
    "deep_nesting": frame('{"type":"result","id":1,"value":' + "[" * 600
                          + "]" * 600 + "}"),
    "lone_surrogate": frame(b'{"type":"result","id":1,"value":"\\udc00"}'),
    "trailing_garbage": frame('{"type":"end","id":1} x'),
}


def main():
    out = os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
