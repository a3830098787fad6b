"""A fake QGobridge worker for tst_qgbprotocol: standard library only, no
gobridge. It speaks docs/protocol.md correctly (socket setup, handshake with
token check, pings) and misbehaves on call connections on purpose, according
to the method of each call:

  ok                 result "ok"
  pid / conn         result: this process's pid / the connection's id
  hold               prints "event: hold started", waits for release, result "held"
  release            wakes hold; result "released"
  oversized_length   a frame header announcing GOBRIDGE_MAX_FRAME + 1 bytes
  huge_valid_frame   a complete, valid result frame of GOBRIDGE_MAX_FRAME + 1 bytes
  truncated          half a result frame, then closes the connection
  invalid_utf8       a result whose string value is not UTF-8
  non_object         a JSON array instead of an object
  no_type            an object without "type"
  unknown_type       {"type": "bogus", "id": N}
  no_id              a result without "id"
  string_id          a result whose "id" is a string
  wrong_id           a result for id N + 5 (a call that never started)
  duplicate_result   two results for id N, back to back (the second one is stale)
  stale_id           a result for id N - 1 (already finished), then for N
  garbage            a frame of bytes that are not JSON
  bad_marker         a result value {"$evil": 1}
  missing_attachment a result with "att": 1 whose value names attachment 3
  duplicate_key      a result whose object repeats a key (what json.dumps
                     makes of {1: "a", "1": "b"})
  progress_string    a progress whose "done" is a string, then the result
  progress_bad_text  a progress whose "text" is a number, then the result
  progress_stale     a progress for id N - 1 (ended: dropped), then the result
  log_no_level       a log record without "level", then the result
  log_bad_logger     a log record whose "logger" is a number, then the result
  refuse             an error without id (the worker refusing the connection,
                     docs/protocol.md section 8), then closes the connection
  anything else      an UnknownMethod error

Every misbehaviour leaves the process running; only the host decides what
happens to the connection.
"""

import hmac
import json
import os
import signal
import socket
import struct
import sys
import threading

HEADER = struct.Struct(">I")

path = os.environ.get("GOBRIDGE_SOCKET")
token = os.environ.get("GOBRIDGE_TOKEN", "")
max_frame = int(os.environ.get("GOBRIDGE_MAX_FRAME", str(64 * 1024 * 1024)))
if not path:
    sys.stderr.write("badworker: GOBRIDGE_SOCKET is not set\n")
    sys.exit(2)

release = threading.Event()
ids_lock = threading.Lock()
next_conn = [0]


def event(text):
    sys.stderr.write("event: %s\n" % text)
    sys.stderr.flush()


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_message(sock):
    header = recv_exact(sock, 4)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > max_frame:
        return None
    payload = recv_exact(sock, size)
    if payload is None:
        return None
    msg = json.loads(payload.decode("utf-8"))
    for _ in range(msg.get("att", 0) if isinstance(msg, dict) else 0):
        att_header = recv_exact(sock, 4)
        if att_header is None or recv_exact(sock, HEADER.unpack(att_header)[0]) is None:
            return None
    return msg


def frame(payload):
    return HEADER.pack(len(payload)) + payload


def message(obj):
    return frame(json.dumps(obj, separators=(",", ":")).encode("utf-8"))


def result(cid, value):
    return message({"type": "result", "id": cid, "value": value})


def misbehave(sock, conn_id, cid, method):
    """Returns what to send for call cid, or None to close the connection."""
    if method == "ok":
        return result(cid, "ok")
    if method == "pid":
        return result(cid, os.getpid())
    if method == "conn":
        return result(cid, conn_id)
    if method == "hold":
        event("hold started")
        release.wait()
        return result(cid, "held")
    if method == "release":
        release.set()
        return result(cid, "released")
    if method == "oversized_length":
        return HEADER.pack(max_frame + 1) + b'{"type":"result","id":%d' % cid
    if method == "huge_valid_frame":
        head = b'{"type":"result","id":%d,"value":"' % cid
        tail = b'"}'
        pad = max_frame + 1 - len(head) - len(tail)
        return frame(head + b"x" * pad + tail)
    if method == "truncated":
        whole = result(cid, "this frame never ends")
        sock.sendall(whole[: len(whole) // 2])
        return None
    if method == "invalid_utf8":
        return frame(b'{"type":"result","id":%d,"value":"bad \xff\xfe utf-8"}' % cid)
    if method == "non_object":
        return frame(b'["result",%d,"ok"]' % cid)
    if method == "no_type":
        return frame(b'{"id":%d,"value":"ok"}' % cid)
    if method == "unknown_type":
        return message({"type": "bogus", "id": cid})
    if method == "no_id":
        return message({"type": "result", "value": "ok"})
    if method == "string_id":
        return message({"type": "result", "id": str(cid), "value": "ok"})
    if method == "wrong_id":
        return result(cid + 5, "ok")
    if method == "duplicate_result":
        return result(cid, "first") + result(cid, "second")
    if method == "stale_id":
        return result(cid - 1, "stale") + result(cid, "fresh")
    if method == "garbage":
        return frame(b"\x00\x01garbage, not JSON \x80\xff")
    if method == "bad_marker":
        return message({"type": "result", "id": cid, "value": {"$evil": 1}})
    if method == "missing_attachment":
        return (message({"type": "result", "id": cid, "value": {"$bytes": 3}, "att": 1})
                + frame(b"only one"))
    if method == "duplicate_key":
        return frame(('{"type":"result","id":%d,"value":%s}'
                      % (cid, json.dumps({1: "a", "1": "b"}))).encode())
    # Results a typed call (QList<User>) reads straight from their text.
    if method == "typed_ok":
        return frame(b'{"type":"result","id":%d,"value":[{"name":"a","zz":{"deep":[1,{}]},'
                     b'"id":1,"score":2},{}]}' % cid)
    if method == "typed_bad_json":
        return frame(b'{"type":"result","id":%d,"value":[{"id":1,"name":"a"},'
                     b'{"id":2 "name":"b"}]}' % cid)
    if method == "typed_mismatch":
        return frame(b'{"type":"result","id":%d,"value":[{"id":1},{"id":"two"}]}' % cid)
    if method == "typed_duplicate_key":
        return frame(b'{"type":"result","id":%d,"value":[{"id":1,"id":2}]}' % cid)
    # Stream items a typed stream (User) reads straight from their text.
    end = frame(b'{"type":"end","id":%d}' % cid)
    if method == "items_ok":
        return (frame(b'{"type":"chunk","id":%d,"items":[{"name":"a","zz":{"deep":[1,{}]},'
                      b'"id":1,"score":2},{}]}' % cid)
                + frame(b'{"type":"chunk","id":%d,"items":[{"id":3}]}' % cid) + end)
    if method == "items_order":
        return (frame(b'{"type":"chunk","id":%d,"items":[{"b":1,"a":2}]}' % cid)
                + frame(b'{"type":"chunk","id":%d,"items":[{"b":3,"a":4}]}' % cid)
                + end)
    if method == "items_bad_json":
        return frame(b'{"type":"chunk","id":%d,"items":[{"id":1,"name":"a"},'
                     b'{"id":2 "name":"b"}]}' % cid) + end
    if method == "items_mismatch":
        return (frame(b'{"type":"chunk","id":%d,"items":[{"id":1}]}' % cid)
                + frame(b'{"type":"chunk","id":%d,"items":[{"id":1},{"id":"two"}]}' % cid)
                + end)
    if method == "items_duplicate_key":
        return frame(b'{"type":"chunk","id":%d,"items":[{"id":1,"id":2}]}' % cid) + end
    if method == "items_not_a_list":
        return frame(b'{"type":"chunk","id":%d,"items":{"id":1}}' % cid) + end
    if method == "stale_malformed":
        return (frame(b'{"type":"result","id":%d,"value":[1,}' % (cid - 1))
                + result(cid, "fresh"))
    if method == "progress_string":
        return (message({"type": "progress", "id": cid, "done": "1"})
                + result(cid, "ok"))
    if method == "progress_bad_text":
        return (message({"type": "progress", "id": cid, "done": 1, "text": 5})
                + result(cid, "ok"))
    if method == "progress_stale":
        return (message({"type": "progress", "id": cid - 1, "done": 1})
                + result(cid, "fresh"))
    if method == "log_no_level":
        return (message({"type": "log", "id": cid, "logger": "x", "message": "m"})
                + result(cid, "ok"))
    if method == "log_bad_logger":
        return (message({"type": "log", "id": cid, "level": 20, "logger": 5,
                         "message": "m"}) + result(cid, "ok"))
    if method == "refuse":
        sock.sendall(message({"type": "error", "error": {
            "code": "ProtocolError", "message": "badworker refuses this connection"}}))
        return None
    return message({"type": "error", "id": cid,
                    "error": {"code": "UnknownMethod",
                              "message": "badworker has no method %r" % method}})


def serve_call(sock, conn_id):
    while True:
        msg = read_message(sock)
        if msg is None:
            return
        if msg.get("type") == "describe":
            # The pool asks once, for QGbPool::functions(): nothing is known.
            sock.sendall(message({"type": "result", "id": msg["id"],
                                  "value": []}))
            continue
        if msg.get("type") != "call":
            continue   # credits, cancels: nothing to do
        out = misbehave(sock, conn_id, msg["id"], msg.get("method"))
        if out is None:
            return
        sock.sendall(out)


def serve_control(sock):
    while True:
        msg = read_message(sock)
        if msg is None:
            return
        if msg.get("type") == "ping":
            sock.sendall(message({"type": "pong", "seq": msg.get("seq")}))


def refuse(sock, code, text):
    sock.sendall(message({"type": "error", "error": {"code": code, "message": text}}))


def handle(sock):
    try:
        msg = read_message(sock)
        if not isinstance(msg, dict) or msg.get("type") != "hello":
            refuse(sock, "ProtocolError", "the first message must be hello")
            return
        given = msg.get("token")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), token.encode()):
            refuse(sock, "Unauthorized", "wrong or missing token")
            return
        with ids_lock:
            next_conn[0] += 1
            conn_id = next_conn[0]
        sock.sendall(message({"type": "hello", "version": 1, "conn": conn_id,
                              "pid": os.getpid(), "python": "%d.%d.%d" % sys.version_info[:3]}))
        if msg.get("role") == "control":
            serve_control(sock)
        else:
            serve_call(sock, conn_id)
    except (OSError, ValueError):
        pass
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def terminate(signum, frame_):
    for p in (path, path + ".tmp"):
        try:
            os.unlink(p)
        except OSError:
            pass
    os._exit(0)


def main():
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    tmp = path + ".tmp"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(tmp)
    finally:
        os.umask(old)
    listener.listen(16)
    os.rename(tmp, path)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=handle, args=(sock,), daemon=True).start()


main()
