"""The raw floor of the QGobridge benchmark: the simplest honest Python server.

Standard library only. It listens on a Unix stream socket and serves every
connection on its own thread (no pool, no queue, no batching). Every message
is one frame: a 4-byte big-endian payload length followed by a UTF-8 JSON
object, read with json.loads and written with json.dumps, one sendall() per
frame. Binary data (echo_bytes) travels as one raw frame after a JSON header.

Requests (the first frame of an exchange, {"m": method, "a": args}):

  add          {"a": [x, y]}        -> {"r": x + y}
  echo         {"a": [value]}       -> {"r": value}
  range_gen    {"a": [n]}           -> {"item": i} for i in range(n), then {"end": true}
  sum_stream   then {"item": x}...  then {"end": true} -> {"r": sum}
  echo_stream  then {"item": x}...  each answered with {"item": x}, then {"end": true}
  echo_bytes   then one raw frame   -> {"att": 1} then the same raw frame
  payload_gen  {"a": [n, size]}     -> {"item": s} n times (s: size ASCII
                                       characters), then {"end": true}

Usage: floor_server.py SOCKET_PATH. Prints "ready" on stdout once it accepts
connections, and exits when stdin closes (its parent went away).
"""

import json
import os
import socket
import struct
import sys
import threading

HEADER = struct.Struct(">I")
PATTERN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def payload(size):
    """size ASCII characters: the same text as bench_worker.py's and the host's."""
    return (PATTERN * (size // len(PATTERN) + 1))[:size]


def read_frame(rfile):
    header = rfile.read(4)
    if len(header) < 4:
        return None
    (size,) = HEADER.unpack(header)
    payload = rfile.read(size)
    if len(payload) < size:
        return None
    return payload


def send_frame(sock, payload):
    sock.sendall(HEADER.pack(len(payload)) + payload)


def send_json(sock, obj):
    send_frame(sock, json.dumps(obj).encode())


def read_json(rfile):
    payload = read_frame(rfile)
    return None if payload is None else json.loads(payload)


def serve(sock):
    rfile = sock.makefile("rb", buffering=65536)
    try:
        while True:
            request = read_json(rfile)
            if request is None:
                return
            method = request["m"]
            args = request.get("a", [])
            if method == "add":
                send_json(sock, {"r": args[0] + args[1]})
            elif method == "echo":
                send_json(sock, {"r": args[0]})
            elif method == "range_gen":
                for i in range(args[0]):
                    send_json(sock, {"item": i})
                send_json(sock, {"end": True})
            elif method == "payload_gen":
                item = payload(args[1])
                for _ in range(args[0]):
                    send_json(sock, {"item": item})
                send_json(sock, {"end": True})
            elif method == "sum_stream":
                total = 0
                while True:
                    msg = read_json(rfile)
                    if msg is None or "end" in msg:
                        break
                    total += msg["item"]
                send_json(sock, {"r": total})
            elif method == "echo_stream":
                while True:
                    msg = read_json(rfile)
                    if msg is None or "end" in msg:
                        break
                    send_json(sock, {"item": msg["item"]})
                send_json(sock, {"end": True})
            elif method == "echo_bytes":
                data = read_frame(rfile)
                send_json(sock, {"att": 1})
                send_frame(sock, data)
            else:
                send_json(sock, {"error": "unknown method %r" % method})
    except (ConnectionError, OSError):
        pass
    finally:
        rfile.close()
        sock.close()


def watch_parent():
    sys.stdin.read()
    os._exit(0)


def main():
    path = sys.argv[1]
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    threading.Thread(target=watch_parent, daemon=True).start()
    print("ready", flush=True)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    main()
