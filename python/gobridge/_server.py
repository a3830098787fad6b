"""The worker process: the listener, the handshake, the control connection.

:func:`run` listens on the pool's socket (docs/protocol.md section 1) and
serves until SIGTERM or SIGINT. Threads of a worker process:

* the **main thread** serves one call connection at a time: the first call
  connection that arrives while it is idle. Only the main thread can be
  woken from ``time.sleep`` and similar by a signal, so a worker that serves
  a single connection can interrupt any Python code on cancel;
* one thread per further call connection (``_connection``): each one reads
  its own socket and runs the functions itself;
* one thread per control connection. It waits for ``cancel`` and ``ping``;
  a ``cancel`` interrupts the call where it runs (``_cancel``, and
  docs/protocol.md section 7 for where that is possible);
* the accept thread, which authenticates new connections (section 4) on
  short-lived handshake threads;
* one flusher thread (``_streams``), which sends stream items that a
  generator produced quickly before a long pause (it only wakes while such
  items wait), one poker thread (``_cancel``), which only wakes while a
  cancelled call may not have noticed its interruption yet, and, once a
  call reports progress faster than it may go out, one progress thread
  (``_progress``) that sends the last report when its turn comes.

Python ``logging`` records go to the host (``_logging``): on the call's
connection when a call logs them, on the control connection otherwise.

``python3 -m gobridge serve`` (``_remote``) serves the same way on a TCP
listener, with TLS, instead of the pool's Unix socket: it sets
:data:`serve_config` before it runs the script, and :func:`run` takes its
listener and token from there.
"""

import itertools
import os
import queue
import signal
import socket
import struct
import sys
import threading
import time
from typing import Any, List, Optional

from . import _wire
from ._cancel import install_handlers, start_thread
from . import _logging
from ._connection import CallConnection
from ._messages import (
    decode_cancel, decode_hello, decode_ping, encode_error, encode_hello,
    encode_pong)
from ._streams import flusher
from ._wire import (
    PROTOCOL_ERROR, UNAUTHORIZED, ConnectionAbort, ProtocolViolation,
    Unauthorized)

#: The network listener configuration (a ``_remote.NetListener``) that
#: ``python3 -m gobridge serve`` sets before it runs the worker script; None
#: when a pool started the script with ``GOBRIDGE_SOCKET``.
serve_config = None   # type: Any


class _Server:
    """Listens on the socket and hands connections to threads."""

    def __init__(self, path: str, token: str, max_frame: int,
                 net: Any = None) -> None:
        self.path = path
        # The network listener (serve mode), or None: the pool's socket.
        self.net = net
        self.token = token.encode("utf-8", "surrogatepass")
        self.max_frame = max_frame
        self.conns = {}   # conn id -> CallConnection (for control cancels)
        self.listeners = []    # type: List[socket.socket]
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._main_idle = True
        self._handoff = queue.SimpleQueue()
        # The control connection, for log records logged outside calls;
        # every write on it holds control_lock.
        self.control = None     # type: Optional[socket.socket]
        # Earlier control connections still open, oldest first: when the
        # newest one closes, log records go to the one before it (a served
        # worker's readiness check opens one for a moment).
        self.older_controls = []  # type: List[socket.socket]
        self.control_lock = threading.Lock()

    def write_control(self, payload: bytes) -> bool:
        """Write a message on the control connection; False if there is
        none (yet, or any more)."""
        with self.control_lock:
            sock = self.control
            if sock is None:
                return False
            try:
                _wire.write_message(sock, payload, ())
            except OSError:
                self._drop_control(sock)
                return False
        return True

    # -- lifecycle ---------------------------------------------------------

    def listen(self) -> None:
        if self.net is not None:
            self.listeners = self.net.listen()
            self.net.announce()
            return
        tmp = self.path + ".tmp"
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_mask = os.umask(0o177)
        try:
            listener.bind(tmp)
        finally:
            os.umask(old_mask)
        listener.listen(128)
        os.replace(tmp, self.path)
        self.listeners = [listener]

    def terminate(self, signum: int = 0, frame: Any = None) -> None:
        """SIGTERM/SIGINT: remove the socket file and exit with status 0."""
        for path in (() if self.net is not None
                     else (self.path, self.path + ".tmp")):
            try:
                os.unlink(path)
            except OSError:
                pass
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(0)

    def serve_forever(self) -> None:
        install_handlers(self.terminate)
        self.listen()
        flusher.start()
        for listener in self.listeners:
            start_thread(self._accept_loop, "gobridge-accept", listener)
        parent = os.getppid()
        while True:
            try:
                # The timeout only bounds how long a signal that reached
                # another thread (one started by user code) waits for its
                # handler: our own threads block the signals.
                conn = self._handoff.get(timeout=0.5)
            except queue.Empty:
                # The host died without stopping us (it crashed, or was
                # killed): nobody will ever connect again. (A network
                # worker serves until its orchestrator stops it.)
                if self.net is None and os.getppid() != parent:
                    self.terminate(signal.SIGTERM, None)
                continue
            try:
                conn.serve()
            finally:
                with self._lock:
                    self._main_idle = True

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                sock, peer = listener.accept()
            except OSError as exc:
                print("gobridge: accept failed: %s" % exc, file=sys.stderr)
                time.sleep(0.05)   # out of descriptors: back off a little
                continue
            # This thread blocks the worker's signals: so does the new one.
            threading.Thread(target=self._handshake, args=(sock, peer),
                             name="gobridge-conn", daemon=True).start()

    # -- connections -------------------------------------------------------

    def _refuse(self, sock: socket.socket, code: str, message: str) -> None:
        try:
            _wire.write_message(
                sock, encode_error(None, code, message), ())
        except OSError:
            pass

    def _peer_is_us(self, sock: socket.socket) -> bool:
        if self.net is not None:
            return True   # over TCP the token (and mutual TLS) authenticate
        option = getattr(socket, "SO_PEERCRED", None)
        if option is None:
            return True   # no SO_PEERCRED here: the 0700 directory guards
        creds = sock.getsockopt(socket.SOL_SOCKET, option,
                                struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return uid == os.getuid()

    def _authenticate(self, sock: socket.socket,
                      reader: _wire.Reader) -> Optional[str]:
        """Check the peer and its hello; return the role, or None if refused.

        Nothing but the first frame is read from a peer that is refused.
        """
        if not self._peer_is_us(sock):
            self._refuse(sock, UNAUTHORIZED,
                         "the peer runs as a different user")
            return None
        try:
            payload = reader.read_frame(True)
            if payload is None:
                return None
            msg = reader.decode(payload)
            return decode_hello(msg, self.token)
        except ProtocolViolation as exc:
            self._refuse(sock, PROTOCOL_ERROR, str(exc))
        except Unauthorized as exc:
            self._refuse(sock, UNAUTHORIZED, str(exc))
        return None

    def _handshake(self, sock: socket.socket, peer: Any = None) -> None:
        """Authenticate a new connection, then serve it (own thread)."""
        if self.net is not None:
            sock = self.net.accept(sock, peer)   # TLS handshake, relay
            if sock is None:
                return
        reader = _wire.Reader(sock, self.max_frame)
        conn = None
        conn_id = 0
        to_main = False
        try:
            role = self._authenticate(sock, reader)
            if role is None:
                return
            conn_id = next(self._ids)
            if role == "call":
                # Registered before the answer: the host may send a cancel
                # for this connection as soon as it reads the answer.
                conn = CallConnection(self, sock, reader, conn_id)
                self.conns[conn_id] = conn
                # Claimed before the answer too, so that the first call
                # connection the host sees answered is the one served by the
                # main thread.
                with self._lock:
                    to_main = self._main_idle
                    self._main_idle = False
            hello = encode_hello(conn_id, os.getpid(), sys.version_info)
            if conn is None:
                # Log records may go out on it as soon as the answer did.
                with self.control_lock:
                    _wire.write_message(sock, hello, ())
                    if self.control is not None:
                        self.older_controls.append(self.control)
                    self.control = sock
                self._serve_control(sock, reader)
                return
            _wire.write_message(sock, hello, ())
        except (OSError, ConnectionAbort):
            conn = None
            if to_main:
                with self._lock:
                    self._main_idle = True
            return
        finally:
            if conn is None:
                self.conns.pop(conn_id, None)
                self._close(sock, reader)
        if to_main:
            self._handoff.put(conn)
        else:
            conn.serve()

    @staticmethod
    def _close(sock: Optional[socket.socket],
               reader: Optional[_wire.Reader]) -> None:
        if reader is not None:
            reader.close()
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def _serve_control(self, sock: socket.socket,
                       reader: _wire.Reader) -> None:
        """Serve a control connection until it closes.

        A violation ends it with an error without id, as on a call
        connection.
        """
        try:
            self._control_loop(sock, reader)
        except ProtocolViolation as exc:
            with self.control_lock:
                self._refuse(sock, PROTOCOL_ERROR, str(exc))
        finally:
            with self.control_lock:
                self._drop_control(sock)

    def _drop_control(self, sock: socket.socket) -> None:
        """Forget control connection ``sock`` (caller holds control_lock)."""
        if self.control is sock:
            older = self.older_controls
            self.control = older.pop() if older else None
        elif sock in self.older_controls:
            self.older_controls.remove(sock)

    def _control_loop(self, sock: socket.socket,
                      reader: _wire.Reader) -> None:
        while True:
            msg = reader.read_message()
            if msg is None:
                return
            mtype = msg["type"]
            if mtype == "ping":
                pong = encode_pong(decode_ping(msg))
                with self.control_lock:
                    _wire.write_message(sock, pong, ())
            elif mtype == "cancel":
                conn_id, cid = decode_cancel(msg)
                conn = self.conns.get(conn_id)
                if conn is not None:
                    conn.request_cancel(cid)
                    if self.net is not None:
                        self._watch_cancel(conn, cid)
            else:
                raise ProtocolViolation("unexpected %s message on the "
                                        "control connection" % mtype)


    def _watch_cancel(self, conn: CallConnection, cid: int) -> None:
        """Serve mode: the host cannot kill this process, so the worker
        takes the last step of the cancellation ladder itself (protocol
        section 7): if call ``cid`` still runs after the grace period, it
        exits."""
        if conn.done_id >= cid:
            return
        timer = threading.Timer(self.net.cancel_grace, self._cancel_overdue,
                                (conn, cid))
        timer.name = "gobridge-cancel-grace"
        timer.daemon = True
        timer.start()   # the control thread blocks the worker's signals

    def _cancel_overdue(self, conn: CallConnection, cid: int) -> None:
        if conn.current != cid or conn.done_id >= cid:
            return      # it ended (or never started on this connection)
        from ._remote import EXIT_CANCEL_TIMEOUT
        try:
            print("gobridge: call %d (%s) on connection %d was cancelled "
                  "%g s ago and still runs; exiting with status %d so that "
                  "the orchestrator restarts the worker"
                  % (cid, conn.method, conn.conn_id, self.net.cancel_grace,
                     EXIT_CANCEL_TIMEOUT), file=sys.stderr, flush=True)
            sys.stdout.flush()
        except Exception:
            pass
        os._exit(EXIT_CANCEL_TIMEOUT)


def _fail(message: str) -> None:
    print("gobridge: " + message, file=sys.stderr)
    sys.exit(2)


def run() -> None:
    """Serve the ``@gobridge`` functions to the pool that started this script.

    Reads ``GOBRIDGE_SOCKET``, ``GOBRIDGE_TOKEN``, ``GOBRIDGE_MAX_FRAME``
    and ``GOBRIDGE_LOG_LEVEL`` (and removes them from ``os.environ``), listens on the socket and serves
    calls until the process gets SIGTERM or SIGINT, which remove the socket
    file and exit with status 0. Call it from the main thread, after the
    functions are defined; it never returns.

    Without ``GOBRIDGE_SOCKET`` the script was not started by a pool: it
    prints a message to stderr and exits with status 2.

    Under ``python3 -m gobridge serve`` (docs/remote.md), which sets
    :data:`serve_config` before it runs the script, it serves on that TCP
    listener (with TLS unless ``--insecure``) with the command line's token
    and limits instead, ignores (and removes) the variables above and does
    not exit when its parent process does.

    ``run()`` installs handlers for SIGTERM, SIGINT and SIGUSR1 (the control
    thread uses SIGUSR1 to interrupt a cancelled call on the main thread,
    for example in ``time.sleep``); user code must leave them alone. It also
    makes ``sys.stdout`` line buffered so that printed lines reach the host
    at once; the worker itself never writes to stdout. And it adds a handler
    to the root logger that sends ``logging`` records to the host (with
    ``GOBRIDGE_LOG_LEVEL``, a level name or number, as the root logger's
    level).
    """
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("gobridge.run() must be called from the main "
                           "thread")
    net = serve_config
    if net is not None:
        _run_network(net)
        return
    path = os.environ.pop("GOBRIDGE_SOCKET", None)
    token = os.environ.pop("GOBRIDGE_TOKEN", None)
    max_frame_text = os.environ.pop("GOBRIDGE_MAX_FRAME", None)
    if not path:
        _fail("GOBRIDGE_SOCKET is not set. This script is a QGobridge "
              "worker: it is meant to be started by a QGbPool (for example "
              "QGbPool pool(\"%s\")), not run directly."
              % os.path.basename(sys.argv[0] if sys.argv else "worker.py"))
    if not token:
        _fail("GOBRIDGE_TOKEN is not set; a QGbPool sets it together with "
              "GOBRIDGE_SOCKET.")
    max_frame = _wire.DEFAULT_MAX_FRAME
    if max_frame_text:
        try:
            max_frame = int(max_frame_text)
        except ValueError:
            max_frame = 0
        if max_frame <= 0:
            _fail("GOBRIDGE_MAX_FRAME must be a positive integer, not %r"
                  % max_frame_text)
    _line_buffer_stdout()
    server = _Server(path, token, max_frame)
    _logging.install(server.write_control, max_frame,
                     os.environ.pop("GOBRIDGE_LOG_LEVEL", None))
    try:
        server.serve_forever()
    except OSError as exc:
        _fail("cannot serve on %s: %s" % (path, exc))


def _line_buffer_stdout() -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(line_buffering=True)
        except Exception:
            pass


def _run_network(net: Any) -> None:
    """run() under ``python3 -m gobridge serve``: the listener, token and
    limits come from ``net`` (the command line), not the environment."""
    if net.started:
        raise RuntimeError("gobridge.run() was called twice")
    net.started = True
    for name in ("GOBRIDGE_SOCKET", "GOBRIDGE_TOKEN", "GOBRIDGE_MAX_FRAME",
                 "GOBRIDGE_LOG_LEVEL"):
        os.environ.pop(name, None)
    _line_buffer_stdout()
    server = _Server("", net.token, net.max_frame, net)
    _logging.install(server.write_control, net.max_frame, net.log_level)
    try:
        server.serve_forever()
    except OSError as exc:
        _fail("cannot serve on %s: %s" % (net.describe(), exc))
