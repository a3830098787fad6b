"""Workers on other machines: ``python3 -m gobridge serve`` and ``check``.

docs/remote.md is the user's guide; this module implements it:

* :class:`NetListener` is the listener configuration that ``serve`` hands
  to :func:`gobridge.run` (through ``_server.serve_config``): a TCP address,
  TLS (with mutual TLS when a client CA is given) or, on loopback only,
  plain TCP, and the grace period after which a cancelled call that still
  runs makes the worker exit (the remote form of the cancellation ladder,
  docs/protocol.md section 7);
* :class:`TlsRelay` carries one TLS connection. The worker's connection
  code reads a connection on one thread while other threads write to it
  (log records on the control connection, stream items, progress), and an
  OpenSSL connection must not be used by two threads at once. So the
  relay keeps the TLS state in an ``ssl.SSLObject`` (memory BIOs, one lock)
  and hands the worker the plain end of a ``socket.socketpair``: the code
  that serves the Unix socket serves TLS connections unchanged;
* :func:`serve_main` and :func:`check_main` are the two commands.
"""

import argparse
import ipaddress
import json
import os
import runpy
import socket
import ssl
import struct
import sys
import threading
from typing import List, Optional, Tuple

from . import _server
from ._wire import DEFAULT_MAX_FRAME, input_waiter

#: The exit status of a worker that ends itself because a cancelled call
#: still ran after the grace period (like timeout(1)).
EXIT_CANCEL_TIMEOUT = 124
#: Exit status for bad arguments or a listener that cannot be set up.
EXIT_USAGE = 2

# Exit statuses of ``check``.
CHECK_HEALTHY = 0
CHECK_UNREACHABLE = 1
CHECK_TLS = 3
CHECK_REFUSED = 4
CHECK_BROKEN = 5

#: How long a new connection may take for its TLS handshake.
TLS_HANDSHAKE_TIMEOUT = 10.0

_HEADER = struct.Struct(">I")


class UsageError(Exception):
    """Bad command line arguments or files: exit status 2."""


def parse_address(text: str) -> Tuple[str, int]:
    """``HOST:PORT``, ``[IPv6]:PORT`` or ``:PORT`` (all interfaces)."""
    host, sep, port_text = text.rpartition(":")
    if not sep:
        raise UsageError("the address %r is not HOST:PORT" % text)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise UsageError("the port in %r is not a number in 0..65535" % text)
    return host, port


def read_token(token_file: Optional[str], token_env: Optional[str]) -> str:
    """The token from a file (surrounding whitespace stripped, as a
    Kubernetes Secret or ``echo`` leaves a newline) or an environment
    variable (removed from ``os.environ`` once read)."""
    if token_file and token_env:
        raise UsageError("give either --token-file or --token-env, not both")
    if token_file:
        try:
            with open(token_file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise UsageError("cannot read the token file: %s" % exc) from None
        try:
            token = data.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise UsageError("the token file %s is not UTF-8 text"
                             % token_file) from None
        if not token:
            raise UsageError("the token file %s is empty" % token_file)
        return token
    if token_env:
        token = os.environ.pop(token_env, "").strip()
        if not token:
            raise UsageError("the environment variable %s is not set or "
                             "empty" % token_env)
        return token
    raise UsageError("a token is required: --token-file PATH or "
                     "--token-env NAME")


def _is_loopback(host: str, port: int) -> bool:
    """True if every address ``host`` resolves to is a loopback address."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return False
    for info in infos:
        address = info[4][0].split("%", 1)[0]
        if not ipaddress.ip_address(address).is_loopback:
            return False
    return bool(infos)


# --------------------------------------------------------------------------
# The TLS relay


class TlsRelay:
    """One TLS connection, relayed to a plain socket the worker serves.

    Two threads move the bytes (``_inbound``: network to worker,
    ``_outbound``: worker to network); ``lock`` guards the SSLObject and
    its memory BIOs, ``send_lock`` keeps the encrypted bytes in order on
    the network socket.
    """

    def __init__(self, raw: socket.socket, context: ssl.SSLContext) -> None:
        self.raw = raw
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = context.wrap_bio(self.incoming, self.outgoing,
                                    server_side=True)
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        self.local = None       # type: Optional[socket.socket]
        self.received = False   # any bytes during the handshake
        self._open = 2          # relay threads still running
        self._count_lock = threading.Lock()

    def _flush(self) -> None:
        """Send what OpenSSL wrote to the outgoing BIO (in order)."""
        with self.send_lock:
            with self.lock:
                data = self.outgoing.read()
            if data:
                self.raw.sendall(data)

    def handshake(self, timeout: float) -> None:
        """The server side of the TLS handshake; raises ssl.SSLError (a
        bad peer) or OSError (the connection failed or closed)."""
        self.raw.settimeout(timeout)
        while True:
            try:
                self.obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush()
                data = self.raw.recv(65536)
                if not data:
                    raise ConnectionAbortedError(
                        "the peer closed the connection during the TLS "
                        "handshake")
                self.received = True
                self.incoming.write(data)
            except ssl.SSLError:
                # Let the peer see the alert OpenSSL wrote, if any.
                try:
                    self._flush()
                except OSError:
                    pass
                raise
        self._flush()
        self.raw.settimeout(None)

    def start(self) -> socket.socket:
        """Start relaying; returns the socket the worker serves."""
        local, self.local = socket.socketpair()
        for target, name in ((self._inbound, "gobridge-tls-in"),
                             (self._outbound, "gobridge-tls-out")):
            # Started from a handshake thread: the worker's signals stay
            # blocked in these threads too.
            threading.Thread(target=target, name=name, daemon=True).start()
        return local

    def _done(self) -> None:
        with self._count_lock:
            self._open -= 1
            last = self._open == 0
        if last:
            for sock in (self.raw, self.local):
                try:
                    sock.close()
                except OSError:
                    pass

    def _inbound(self) -> None:
        local = self.local
        try:
            while True:
                try:
                    with self.lock:
                        try:
                            data = self.obj.read(65536)
                        finally:
                            answer = self.outgoing.pending
                except ssl.SSLWantReadError:
                    data = None
                except ssl.SSLZeroReturnError:
                    break           # close_notify: a clean end
                if answer:
                    # A read may have to answer (a key update). Only then
                    # does this thread wait for the network's send side.
                    self._flush()
                if data:
                    local.sendall(data)
                    continue
                if data is not None:
                    break           # b"": the end of the TLS stream
                received = self.raw.recv(65536)
                if not received:
                    break
                with self.lock:
                    self.incoming.write(received)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                local.shutdown(socket.SHUT_WR)   # the worker reads the end
            except OSError:
                pass
            self._done()

    def _outbound(self) -> None:
        local = self.local
        # Not woken each time the worker reads what _inbound wrote.
        wait = input_waiter(local)
        try:
            while True:
                wait()
                data = local.recv(262144)
                if not data:
                    break
                with self.send_lock:
                    with self.lock:
                        self.obj.write(data)
                        encrypted = self.outgoing.read()
                    self.raw.sendall(encrypted)
            # The worker closed the connection: close_notify, then end the
            # network connection (which also ends _inbound).
            try:
                with self.lock:
                    self.obj.unwrap()
            except (ssl.SSLWantReadError, ssl.SSLError):
                pass
            self._flush()
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                self.raw.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                local.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._done()


# --------------------------------------------------------------------------
# The listener configuration


class NetListener:
    """Where and how a ``serve`` worker listens (``_server.serve_config``).

    ``context`` is None for plain TCP (``--insecure``, loopback only).
    """

    def __init__(self, host: str, port: int, token: str,
                 context: Optional[ssl.SSLContext], cancel_grace: float,
                 max_frame: int, log_level: Optional[str],
                 script: str) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.context = context
        self.cancel_grace = cancel_grace
        self.max_frame = max_frame
        self.log_level = log_level
        self.script = script
        self.addresses = [host]    # type: List[str]  # where it listens
        self.started = False    # run() took this configuration

    def announce(self) -> None:
        """The line on stderr that says the worker listens (and where: a
        test or script that asked for port 0 reads the port from it)."""
        if self.context is None:
            mode = "plain TCP"
        elif self.context.verify_mode == ssl.CERT_REQUIRED:
            mode = "TLS, client certificates required"
        else:
            mode = "TLS"
        print("gobridge: serving %s on %s (%s)"
              % (self.script, self.describe(), mode), file=sys.stderr,
              flush=True)

    def describe(self) -> str:
        text = "%s:%d" % (("[%s]" % self.host) if ":" in self.host
                          else self.host, self.port)
        if len(self.addresses) > 1:
            text += " (%s)" % ", ".join(self.addresses)
        return text

    def listen(self) -> List[socket.socket]:
        """Bind and listen; sets ``port`` to the port bound (for port 0).

        ``:PORT`` (no host) listens on every interface of both families
        where the machine has IPv6: one IPv6 socket that takes IPv4 too.
        A host name listens on every address it resolves to (``localhost``
        on 127.0.0.1 and ::1), all on the same port: one socket each.
        """
        if not self.host and socket.has_dualstack_ipv6():
            listener = socket.create_server(("::", self.port),
                                            family=socket.AF_INET6,
                                            backlog=128, dualstack_ipv6=True)
            self.host = "::"
            self.addresses = [self.host]
            self.port = listener.getsockname()[1]
            return [listener]
        infos = socket.getaddrinfo(self.host or None, self.port,
                                   type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
        listeners = []    # type: List[socket.socket]
        self.addresses = []
        try:
            for family, socktype, proto, _, address in infos:
                if address[0] in self.addresses:
                    continue    # the same address twice (another protocol)
                if listeners:
                    # Every address on the port the first one got.
                    address = (address[0], self.port) + tuple(address[2:])
                listener = socket.socket(family, socktype, proto)
                listeners.append(listener)
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    # Its own socket for each family: IPv6 only here.
                    listener.setsockopt(socket.IPPROTO_IPV6,
                                        socket.IPV6_V6ONLY, 1)
                listener.bind(address)
                listener.listen(128)
                self.addresses.append(address[0])
                if len(listeners) == 1:
                    self.port = listener.getsockname()[1]
        except OSError:
            for listener in listeners:
                listener.close()
            raise
        # One address: that is where it listens; several: the name says it.
        if len(self.addresses) == 1 or not self.host:
            self.host = self.addresses[0]
        return listeners

    def accept(self, sock: socket.socket,
               peer: object) -> Optional[socket.socket]:
        """Prepare an accepted connection (its own thread): the socket the
        worker serves, or None if its TLS handshake failed."""
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if self.context is None:
            return sock
        relay = TlsRelay(sock, self.context)
        try:
            relay.handshake(TLS_HANDSHAKE_TIMEOUT)
        except (ssl.SSLError, OSError) as exc:
            # A TCP probe connects and closes: nothing worth a line.
            if not (isinstance(exc, ConnectionAbortedError)
                    and not relay.received):
                print("gobridge: TLS handshake with %s failed: %s"
                      % (_peer_text(peer), exc), file=sys.stderr)
            try:
                sock.close()
            except OSError:
                pass
            return None
        return relay.start()


def _peer_text(peer: object) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        host = peer[0]
        return "%s:%s" % (("[%s]" % host) if ":" in host else host, peer[1])
    return str(peer)


def make_server_context(cert: str, key: str,
                        client_ca: Optional[str]) -> ssl.SSLContext:
    """TLS 1.2 or later; with ``client_ca``, clients must present a
    certificate that it signed (mutual TLS)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError("cannot load the certificate %s and key %s: %s"
                         % (cert, key, exc)) from None
    if client_ca:
        try:
            context.load_verify_locations(cafile=client_ca)
        except (OSError, ssl.SSLError) as exc:
            raise UsageError("cannot load the client CA %s: %s"
                             % (client_ca, exc)) from None
        context.verify_mode = ssl.CERT_REQUIRED
    return context


# --------------------------------------------------------------------------
# Commands


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 -m gobridge serve",
        usage="%(prog)s SCRIPT --listen HOST:PORT [options] [-- ARGS...]",
        description="Serve the @gobridge functions of a worker script over "
                    "TCP with TLS (docs/remote.md). Arguments after -- go "
                    "to the script.")
    parser.add_argument("script", help="the worker script (it calls "
                        "gobridge.run())")
    parser.add_argument("--listen", required=True, metavar="HOST:PORT",
                        help="address to listen on; port 0 picks a free "
                             "port, :PORT listens on every interface (IPv4 and IPv6)")
    parser.add_argument("--tls-cert", metavar="PEM",
                        help="the server certificate (chain)")
    parser.add_argument("--tls-key", metavar="PEM",
                        help="the server certificate's private key")
    parser.add_argument("--tls-client-ca", metavar="PEM",
                        help="require client certificates signed by this "
                             "CA (mutual TLS)")
    parser.add_argument("--insecure", action="store_true",
                        help="plain TCP without TLS; loopback addresses "
                             "only")
    parser.add_argument("--token-file", metavar="PATH",
                        help="file holding the token")
    parser.add_argument("--token-env", metavar="NAME",
                        help="environment variable holding the token")
    parser.add_argument("--cancel-grace", type=float, default=2.0,
                        metavar="SECS",
                        help="exit (status %d) if a cancelled call still "
                             "runs this long after its cancel (default 2)"
                             % EXIT_CANCEL_TIMEOUT)
    parser.add_argument("--max-frame", type=int, default=DEFAULT_MAX_FRAME,
                        metavar="BYTES",
                        help="maximum frame size (default 64 MiB)")
    parser.add_argument("--log-level", metavar="LEVEL",
                        help="the root logger's level (name or number)")
    return parser


def _listener_from_args(opts: argparse.Namespace) -> NetListener:
    host, port = parse_address(opts.listen)
    if opts.cancel_grace < 0:
        raise UsageError("--cancel-grace must not be negative")
    if opts.max_frame <= 0:
        raise UsageError("--max-frame must be a positive integer")
    if opts.insecure:
        if opts.tls_cert or opts.tls_key or opts.tls_client_ca:
            raise UsageError("--insecure excludes the --tls-* options")
        if not host or not _is_loopback(host, port):
            raise UsageError(
                "--insecure serves plain TCP on loopback addresses only "
                "(127.0.0.1, ::1, localhost), not on %r; use TLS "
                "(--tls-cert and --tls-key) for any other address"
                % (host or "all interfaces"))
        context = None
    else:
        if not (opts.tls_cert and opts.tls_key):
            raise UsageError("TLS needs --tls-cert and --tls-key (or "
                             "--insecure for plain TCP on loopback)")
        context = make_server_context(opts.tls_cert, opts.tls_key,
                                      opts.tls_client_ca)
    token = read_token(opts.token_file, opts.token_env)
    return NetListener(host, port, token, context, opts.cancel_grace,
                       opts.max_frame, opts.log_level, opts.script)


def serve_main(argv: List[str]) -> int:
    """``python3 -m gobridge serve``: run the script as ``__main__`` with
    ``gobridge.run()`` serving on the network listener."""
    args = []   # type: List[str]
    if "--" in argv:
        at = argv.index("--")
        argv, args = argv[:at], argv[at + 1:]
    opts = _serve_parser().parse_args(argv)
    try:
        listener = _listener_from_args(opts)
    except UsageError as exc:
        print("gobridge serve: %s" % exc, file=sys.stderr)
        return EXIT_USAGE
    script = opts.script
    if not os.path.isfile(script):
        print("gobridge serve: no such script: %s" % script, file=sys.stderr)
        return EXIT_USAGE
    # As `python3 script.py args`: its folder first on sys.path, its argv.
    sys.argv = [script] + args
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    _server.serve_config = listener
    runpy.run_path(script, run_name="__main__")
    # run() never returns: the script ended without serving.
    print("gobridge serve: %s ended without calling gobridge.run()"
          % script, file=sys.stderr)
    return EXIT_USAGE


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 -m gobridge check",
        description="Readiness check of a served worker: connect, hand"
                    "shake as a control connection, ping. Exit status 0: "
                    "healthy; 1: cannot connect; 2: bad arguments; 3: TLS "
                    "failed; 4: the worker refused the handshake; 5: no "
                    "valid answer.")
    parser.add_argument("address", metavar="HOST:PORT")
    parser.add_argument("--tls-ca", metavar="PEM",
                        help="CA that signed the worker's certificate "
                             "(default: the system's CAs)")
    parser.add_argument("--tls-cert", metavar="PEM",
                        help="client certificate, for mutual TLS")
    parser.add_argument("--tls-key", metavar="PEM",
                        help="the client certificate's private key")
    parser.add_argument("--tls-server-name", metavar="NAME",
                        help="the name the worker's certificate must carry "
                             "(default: HOST)")
    parser.add_argument("--insecure", action="store_true",
                        help="plain TCP (a worker served with --insecure)")
    parser.add_argument("--token-file", metavar="PATH")
    parser.add_argument("--token-env", metavar="NAME")
    parser.add_argument("--timeout", type=float, default=5.0,
                        metavar="SECS", help="for the whole check "
                        "(default 5)")
    return parser


class _CheckFailed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _recv_exact(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        part = sock.recv(count - len(data))
        if not part:
            raise _CheckFailed(
                CHECK_BROKEN, "the worker closed the connection without "
                "answering (a TLS worker checked with --insecure, or a "
                "worker that refused this client?)")
        data += part
    return data


def _check_message(sock: socket.socket) -> dict:
    (size,) = _HEADER.unpack(_recv_exact(sock, 4))
    if size > 1 << 20:
        raise _CheckFailed(CHECK_BROKEN, "not a gobridge worker (a frame "
                           "of %d bytes)" % size)
    try:
        msg = json.loads(_recv_exact(sock, size).decode("utf-8"))
    except ValueError:
        raise _CheckFailed(CHECK_BROKEN, "not a gobridge worker (an "
                           "answer that is not JSON)") from None
    if not isinstance(msg, dict):
        raise _CheckFailed(CHECK_BROKEN, "not a gobridge worker")
    return msg


def _send_message(sock: socket.socket, msg: dict) -> None:
    data = json.dumps(msg, separators=(",", ":")).encode("utf-8")
    sock.sendall(_HEADER.pack(len(data)) + data)


def _run_check(opts: argparse.Namespace) -> str:
    host, port = parse_address(opts.address)
    if not host:
        raise UsageError("check needs a host in HOST:PORT")
    token = read_token(opts.token_file, opts.token_env)
    context = None
    if opts.insecure:
        if opts.tls_ca or opts.tls_cert or opts.tls_key:
            raise UsageError("--insecure excludes the --tls-* options")
    else:
        context = ssl.create_default_context(cafile=opts.tls_ca)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if opts.tls_cert or opts.tls_key:
            if not (opts.tls_cert and opts.tls_key):
                raise UsageError("a client certificate needs --tls-cert and "
                                 "--tls-key")
            context.load_cert_chain(opts.tls_cert, opts.tls_key)
    try:
        raw = socket.create_connection((host, port), timeout=opts.timeout)
    except OSError as exc:
        raise _CheckFailed(CHECK_UNREACHABLE, "cannot connect to %s:%d: %s"
                           % (host, port, exc)) from None
    sock = raw
    try:
        if context is not None:
            try:
                sock = context.wrap_socket(
                    raw, server_hostname=opts.tls_server_name or host)
            except ssl.SSLError as exc:
                raise _CheckFailed(CHECK_TLS, "TLS handshake failed: %s%s" % (
                    exc, " (is the worker served with --insecure?)"
                    if "WRONG_VERSION_NUMBER" in str(exc).upper()
                    or "wrong version number" in str(exc) else "")) from None
            except OSError as exc:
                raise _CheckFailed(
                    CHECK_TLS, "TLS handshake failed: %s (the worker "
                    "closed the connection: does it require a client "
                    "certificate?)" % exc) from None
        try:
            _send_message(sock, {"type": "hello", "version": 1,
                                 "token": token, "role": "control"})
            reply = _check_message(sock)
            if reply.get("type") == "error":
                error = reply.get("error") or {}
                raise _CheckFailed(CHECK_REFUSED, "the worker refused the "
                                   "handshake: %s: %s"
                                   % (error.get("code"),
                                      error.get("message")))
            if reply.get("type") != "hello":
                raise _CheckFailed(CHECK_BROKEN, "unexpected answer to "
                                   "hello: %r" % reply)
            _send_message(sock, {"type": "ping", "seq": 1})
            pong = _check_message(sock)
            while pong.get("type") == "log":    # records logged meanwhile
                pong = _check_message(sock)
            if pong.get("type") != "pong" or pong.get("seq") != 1:
                raise _CheckFailed(CHECK_BROKEN, "unexpected answer to "
                                   "ping: %r" % pong)
        except ssl.SSLError as exc:
            raise _CheckFailed(CHECK_TLS, "TLS failed: %s" % exc) from None
        except socket.timeout:
            raise _CheckFailed(CHECK_BROKEN, "no answer within %g s"
                               % opts.timeout) from None
        except OSError as exc:
            raise _CheckFailed(CHECK_BROKEN, "the connection failed: %s%s"
                               % (exc, " (does the worker require a client "
                                  "certificate?)" if context is not None
                                  else "")) from None
        return "healthy: pid %s, Python %s, %s" % (
            reply.get("pid"), reply.get("python"),
            "plain TCP" if context is None else sock.version())
    finally:
        try:
            sock.close()
        except OSError:
            pass


def check_main(argv: List[str]) -> int:
    """``python3 -m gobridge check``; returns the exit status."""
    opts = _check_parser().parse_args(argv)
    try:
        print("gobridge check %s: %s" % (opts.address, _run_check(opts)))
        return CHECK_HEALTHY
    except UsageError as exc:
        print("gobridge check: %s" % exc, file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ssl.SSLError) as exc:   # loading the client files
        print("gobridge check: %s" % exc, file=sys.stderr)
        return EXIT_USAGE
    except _CheckFailed as exc:
        print("gobridge check %s: UNHEALTHY: %s" % (opts.address, exc),
              file=sys.stderr)
        return exc.status


def main(argv: List[str]) -> int:
    usage = ("usage: python3 -m gobridge serve SCRIPT --listen HOST:PORT ...\n"
             "       python3 -m gobridge check HOST:PORT ...\n"
             "(docs/remote.md; add --help after a command for its options)")
    if not argv or argv[0] not in ("serve", "check"):
        print(usage, file=sys.stderr)
        return EXIT_USAGE
    if argv[0] == "serve":
        return serve_main(argv[1:])
    return check_main(argv[1:])
