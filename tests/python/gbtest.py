"""Harness for the gobridge tests: real worker processes, raw protocol.

``Worker`` starts ``workers/testworker.py`` (or another script) the way a
QGbPool does: a private directory, a socket path, a random token. ``Conn``
is a minimal protocol client written from docs/protocol.md, independent of
the gobridge package, so the tests check the wire format itself. It talks
over the Unix socket, or over TCP with or without TLS (:func:`connect_tcp`)
to a worker served by ``python3 -m gobridge serve``.
"""

import json
import os
import secrets
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "python"))
WORKERS = os.path.join(HERE, "workers")
TEST_WORKER = os.path.join(WORKERS, "testworker.py")

TIMEOUT = 10.0          # upper bound for anything that should happen
_HEADER = struct.Struct(">I")


def wait_for(predicate: Callable[[], Any], timeout: float = TIMEOUT) -> bool:
    """Poll ``predicate`` until it is true; return False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


def worker_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Environment with PYTHONPATH pointing at the gobridge package."""
    env = dict(os.environ)
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = PYTHON_DIR + (os.pathsep + old if old else "")
    for key in ("GOBRIDGE_SOCKET", "GOBRIDGE_TOKEN", "GOBRIDGE_MAX_FRAME"):
        env.pop(key, None)
    if extra:
        env.update(extra)
    return env


#: Worker messages about a running call that are not its answer.
REPORTS = ("progress", "log")


class ProtocolFailure(AssertionError):
    """The worker answered something the test did not expect."""


class Conn:
    """A raw protocol connection to a worker (a Unix socket ``path``, or a
    connected ``sock``: see :func:`connect_tcp`)."""

    def __init__(self, path: Optional[str] = None,
                 sock: Optional[socket.socket] = None) -> None:
        if sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
        self.sock = sock
        self.conn_id = 0
        self.next_id = 1
        self.reports = []   # type: List[Dict[str, Any]]
        self._buf = bytearray()

    def close(self) -> None:
        self.sock.close()

    # -- frames ------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_frame(self, payload: bytes) -> None:
        self.sock.sendall(_HEADER.pack(len(payload)) + payload)

    def send(self, msg: Dict[str, Any], atts: Sequence[bytes] = ()) -> None:
        if atts:
            msg = dict(msg, att=len(atts))
        data = json.dumps(msg, separators=(",", ":")).encode("utf-8")
        parts = [_HEADER.pack(len(data)), data]
        for att in atts:
            parts += [_HEADER.pack(len(att)), att]
        self.sock.sendall(b"".join(parts))

    def _fill(self, count: int, deadline: float) -> bool:
        while len(self._buf) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no data from the worker in time")
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(max(65536, count - len(self._buf)))
            except socket.timeout:
                raise TimeoutError("no data from the worker in time") from None
            except ConnectionResetError:
                data = b""
            if not data:
                return False
            self._buf += data
        return True

    def recv_frame(self, timeout: float = TIMEOUT) -> Optional[bytes]:
        """The next frame, or None if the worker closed the connection."""
        deadline = time.monotonic() + timeout
        if not self._fill(4, deadline):
            if self._buf:
                raise ProtocolFailure("worker closed inside a frame header")
            return None
        (size,) = _HEADER.unpack(bytes(self._buf[:4]))
        if not self._fill(4 + size, deadline):
            raise ProtocolFailure("worker closed inside a frame")
        payload = bytes(self._buf[4:4 + size])
        del self._buf[:4 + size]
        return payload

    def recv(self, timeout: float = TIMEOUT
             ) -> Tuple[Dict[str, Any], List[bytes]]:
        """The next message and its attachments; fails if the peer closed."""
        payload = self.recv_frame(timeout)
        if payload is None:
            raise ProtocolFailure("the worker closed the connection")
        msg = json.loads(payload.decode("utf-8"))
        if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
            raise ProtocolFailure("not a message: %r" % (payload[:200],))
        atts = []
        for _ in range(msg.get("att", 0)):
            att = self.recv_frame(timeout)
            if att is None:
                raise ProtocolFailure("closed before an attachment")
            atts.append(att)
        return msg, atts

    def recv_msg(self, timeout: float = TIMEOUT) -> Dict[str, Any]:
        return self.recv(timeout)[0]

    def closed_by_peer(self, timeout: float = TIMEOUT) -> bool:
        """True once the worker closes the connection (messages skipped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.recv_frame(deadline - time.monotonic()) is None:
                    return True
            except TimeoutError:
                return False
            except (ProtocolFailure, OSError):
                return True
        return False

    def quiet_for(self, seconds: float) -> bool:
        """True if nothing arrives within ``seconds`` (asserting absence)."""
        if self._buf:
            return False
        # Decrypted bytes a TLS socket holds are invisible to select().
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return False
        readable, _, _ = select.select([self.sock], [], [], seconds)
        return not readable

    # -- protocol ----------------------------------------------------------

    def hello(self, token: Optional[str], role: str = "call",
              version: int = 1) -> Dict[str, Any]:
        msg = {"type": "hello", "version": version, "role": role}
        if token is not None:
            msg["token"] = token
        self.send(msg)
        reply = self.recv_msg()
        if reply.get("type") == "hello":
            self.conn_id = reply["conn"]
        return reply

    def start_call(self, method: str, *args: Any, **fields: Any) -> int:
        cid = self.next_id
        self.next_id += 1
        atts = fields.pop("atts", ())
        self.send(dict({"type": "call", "id": cid, "method": method,
                        "args": list(args)}, **fields), atts)
        return cid

    def call(self, method: str, *args: Any, **fields: Any) -> Dict[str, Any]:
        """Run a plain call; return the terminal message (atts resolved).

        The call's ``progress`` and ``log`` messages before it are kept in
        ``self.reports``.
        """
        cid = self.start_call(method, *args, **fields)
        self.reports = []
        msg, atts = self.recv()
        while msg.get("type") in REPORTS and msg.get("id") == cid:
            self.reports.append(msg)
            msg, atts = self.recv()
        if msg.get("id") != cid:
            raise ProtocolFailure("answer for another call: %r" % msg)
        if "value" in msg:
            msg["value"] = decode_value(msg["value"], atts)
        return msg

    def value(self, method: str, *args: Any, **fields: Any) -> Any:
        """Run a plain call and return its result value."""
        msg = self.call(method, *args, **fields)
        if msg["type"] != "result":
            raise ProtocolFailure("expected a result, got %r" % msg)
        return msg["value"]

    def collect(self, cid: int, timeout: float = TIMEOUT
                ) -> Tuple[List[Any], Dict[str, Any], int]:
        """Read chunks of call ``cid`` until its terminal message.

        Returns (items, terminal message, number of chunk messages).
        """
        items = []
        chunks = 0
        self.reports = []
        while True:
            msg, atts = self.recv(timeout)
            if msg.get("id") != cid:
                raise ProtocolFailure("message for another call: %r" % msg)
            if msg["type"] in REPORTS:
                self.reports.append(msg)
            elif msg["type"] == "chunk":
                chunks += 1
                items.extend(decode_value(msg["items"], atts))
            elif msg["type"] == "credit":
                continue
            else:
                if "value" in msg:
                    msg["value"] = decode_value(msg["value"], atts)
                return items, msg, chunks

    def stream(self, method: str, *args: Any, **fields: Any
               ) -> Tuple[List[Any], Dict[str, Any]]:
        cid = self.start_call(method, *args, **fields)
        items, terminal, _ = self.collect(cid)
        return items, terminal


def connect_tcp(host: str, port: int,
                context: Optional[ssl.SSLContext] = None,
                server_hostname: Optional[str] = None) -> Conn:
    """A raw connection over TCP, with TLS when ``context`` is given (the
    TLS handshake is done before this returns)."""
    sock = socket.create_connection((host, port), timeout=TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if context is not None:
        try:
            sock = context.wrap_socket(
                sock, server_hostname=server_hostname or host)
        except BaseException:
            sock.close()
            raise
    sock.settimeout(None)
    return Conn(sock=sock)


def decode_value(value: Any, atts: List[bytes]) -> Any:
    """Resolve ``$bytes`` and ``$map`` markers (test-side decoder)."""
    if isinstance(value, list):
        return [decode_value(v, atts) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            if key == "$bytes":
                return atts[inner]
            if key == "$map":
                return {k: decode_value(v, atts) for k, v in inner.items()}
            if key.startswith("$"):
                raise ProtocolFailure("unknown marker from worker: %r" % key)
        return {k: decode_value(v, atts) for k, v in value.items()}
    return value


class WorkerProcess:
    """A worker process under test, in a private directory of its own (mode
    0700, removed by stop()), with its token and its stderr in a file; the
    connections made to it are closed by stop(). Subclasses start the
    process and say how to open a connection (raw())."""

    def __init__(self, prefix: str) -> None:
        self.dir = tempfile.mkdtemp(prefix=prefix)   # mode 0700
        self.token = secrets.token_hex(32)
        self.stderr_path = os.path.join(self.dir, "stderr.txt")
        self.proc = None   # type: Optional[subprocess.Popen]
        self._conns = []   # type: List[Conn]
        self._stderr = None   # type: Optional[str]

    def marker(self, name: str) -> str:
        """A path inside the worker's private directory."""
        return os.path.join(self.dir, name)

    def stderr(self) -> str:
        if self._stderr is not None:
            return self._stderr
        with open(self.stderr_path, "rb") as err:
            return err.read().decode("utf-8", "replace")

    def raw(self, **kwargs: Any) -> Conn:
        """A connected socket without handshake."""
        raise NotImplementedError

    def _track(self, conn: Conn) -> Conn:
        self._conns.append(conn)
        return conn

    def connect(self, role: str = "call", **kwargs: Any) -> Conn:
        """A connection that passed the handshake."""
        conn = self.raw(**kwargs)
        reply = conn.hello(self.token, role)
        if reply.get("type") != "hello":
            raise ProtocolFailure("handshake refused: %r" % reply)
        return conn

    def wait_exit(self, timeout: float = TIMEOUT) -> Optional[int]:
        """The exit status, or None if it still runs after timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop_cleanly(self) -> None:
        """Stop with SIGTERM and fail unless the worker exits with 0."""
        status = self.stop()
        if status != 0:
            raise AssertionError("worker exited with %r after SIGTERM; "
                                 "stderr:\n%s" % (status, self.stderr()))

    def _keep_output(self) -> None:
        """Reads what stop() must keep before the directory goes."""
        self._stderr = self.stderr()

    def stop(self) -> Optional[int]:
        """SIGTERM (SIGKILL after 5 s); return the exit status."""
        for conn in self._conns:
            conn.close()
        self._conns = []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                # Hung: SIGABRT makes faulthandler dump every thread's stack
                # to the stderr file, for the failure message.
                self.proc.send_signal(signal.SIGABRT)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        if self._stderr is None:
            self._keep_output()
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode


class Worker(WorkerProcess):
    """A worker process started the way a QGbPool starts one."""

    def __init__(self, script: str = TEST_WORKER,
                 max_frame: Optional[int] = None,
                 env: Optional[Dict[str, str]] = None) -> None:
        super().__init__("gbtest-")
        self.path = os.path.join(self.dir, "worker.sock")
        self.stdout_path = os.path.join(self.dir, "stdout.txt")
        extra = {"GOBRIDGE_SOCKET": self.path, "GOBRIDGE_TOKEN": self.token,
                 "PYTHONFAULTHANDLER": "1"}
        if max_frame is not None:
            extra["GOBRIDGE_MAX_FRAME"] = str(max_frame)
        if env:
            extra.update(env)
        self._stdout = None   # type: Optional[str]
        with open(self.stdout_path, "wb") as out, \
                open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, script], env=worker_env(extra),
                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        if not wait_for(lambda: os.path.exists(self.path)
                        or self.proc.poll() is not None):
            self.stop()
            raise RuntimeError("worker did not create its socket")
        if self.proc.poll() is not None:
            raise RuntimeError("worker exited: %s" % self.stderr())

    def stdout(self) -> str:
        if self._stdout is not None:
            return self._stdout
        with open(self.stdout_path, "rb") as out:
            return out.read().decode("utf-8", "replace")

    def raw(self, **kwargs: Any) -> Conn:
        return self._track(Conn(self.path))

    def _keep_output(self) -> None:
        super()._keep_output()
        self._stdout = self.stdout()
