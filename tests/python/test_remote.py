"""Workers on other machines: ``python3 -m gobridge serve`` and ``check``
(docs/remote.md).

Every worker here is a real ``serve`` process on 127.0.0.1 (port 0: it
says on stderr which port it got); the certificates are made with the
``openssl`` command for this run.
"""

import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
from typing import List, Optional
from unittest import mock

import gbtest
from gbtest import TEST_WORKER, TIMEOUT, worker_env

EXIT_CANCEL_TIMEOUT = 124       # docs/remote.md, "Cancellation"
EXIT_USAGE = 2

_certs = None   # type: Optional[str]


def _openssl(*args: str) -> None:
    subprocess.run(("openssl",) + args, cwd=_certs, check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def _make_ca(name: str) -> None:
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-keyout", name + ".key", "-out", name + ".pem",
             "-subj", "/CN=gobridge test " + name,
             # What Python 3.13's strict verification wants of a CA.
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-addext", "subjectKeyIdentifier=hash")


def _make_cert(name: str, ca: str, ext: str) -> None:
    _openssl("req", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", name + ".key", "-out", name + ".csr",
             "-subj", "/CN=" + name)
    with open(os.path.join(_certs, name + ".ext"), "w") as handle:
        handle.write("basicConstraints=CA:FALSE\n"
                     "keyUsage=critical,digitalSignature\n"
                     "subjectKeyIdentifier=hash\n"
                     "authorityKeyIdentifier=keyid\n" + ext + "\n")
    _openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem",
             "-CAkey", ca + ".key", "-set_serial",
             str(secrets.randbelow(1 << 62) + 1), "-days", "2",
             "-out", name + ".pem", "-extfile", name + ".ext")


def setUpModule():
    global _certs
    if shutil.which("openssl") is None:
        raise unittest.SkipTest("the openssl command is not installed (it "
                                "makes the test certificates)")
    _certs = tempfile.mkdtemp(prefix="gbtest-certs-")
    _make_ca("ca")
    _make_ca("otherca")
    _make_cert("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
               "extendedKeyUsage=serverAuth")
    _make_cert("client", "ca", "extendedKeyUsage=clientAuth")
    _make_cert("stranger", "otherca", "extendedKeyUsage=clientAuth")


def tearDownModule():
    if _certs is not None:
        shutil.rmtree(_certs, ignore_errors=True)


def cert(name: str) -> str:
    return os.path.join(_certs, name)


def client_context(client: Optional[str] = "client",
                   ca: str = "ca") -> ssl.SSLContext:
    """A client's TLS context: trusts ``ca``, presents ``client``'s
    certificate (None: none)."""
    context = ssl.create_default_context(cafile=cert(ca + ".pem"))
    if client is not None:
        context.load_cert_chain(cert(client + ".pem"), cert(client + ".key"))
    return context


def free_port() -> int:
    """A port nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served(gbtest.WorkerProcess):
    """A ``python3 -m gobridge serve`` process of the test worker."""

    _SERVING = re.compile(r"gobridge: serving .* on 127\.0\.0\.1:(\d+) ")

    def __init__(self, tls: bool = True, client_ca: bool = False,
                 grace: Optional[float] = None, options: List[str] = (),
                 listen: str = "127.0.0.1:0", wait: bool = True) -> None:
        super().__init__("gbtest-serve-")
        self.token_file = os.path.join(self.dir, "token")
        with open(self.token_file, "w") as handle:
            handle.write(self.token + "\n")   # as `echo` leaves it
        self.tls = tls
        args = [sys.executable, "-m", "gobridge", "serve", TEST_WORKER,
                "--listen", listen, "--token-file", self.token_file]
        if tls:
            args += ["--tls-cert", cert("server.pem"),
                     "--tls-key", cert("server.key")]
        if client_ca:
            args += ["--tls-client-ca", cert("ca.pem")]
        if grace is not None:
            args += ["--cancel-grace", str(grace)]
        args += list(options)
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                args, env=worker_env({"PYTHONFAULTHANDLER": "1"}),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err)
        self.port = 0
        if wait:
            if not gbtest.wait_for(lambda: self._port() or
                                   self.proc.poll() is not None):
                self.stop()
                raise RuntimeError("serve did not start listening")
            if self.proc.poll() is not None:
                raise RuntimeError("serve exited: %s" % self.stderr())
            self.port = self._port()

    def _port(self) -> int:
        match = self._SERVING.search(self.stderr())
        return int(match.group(1)) if match else 0

    def raw(self, context: Optional[ssl.SSLContext] = None,
            tls: Optional[bool] = None) -> gbtest.Conn:
        """A connection without handshake, TLS if the worker serves TLS
        (``tls`` overrides that; ``context`` defaults to a client with a
        certificate)."""
        if tls is None:
            tls = self.tls
        if tls and context is None:
            context = client_context()
        return self._track(gbtest.connect_tcp("127.0.0.1", self.port,
                                              context if tls else None))


def check(*args: str) -> subprocess.CompletedProcess:
    """Run ``python3 -m gobridge check``."""
    return subprocess.run(
        [sys.executable, "-m", "gobridge", "check"] + list(args),
        env=worker_env(), stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=30)


def start_marked(served: Served, conn: gbtest.Conn, method: str) -> int:
    """Start ``method(marker)`` and wait until it runs."""
    marker = served.marker("%s-%d-%d" % (method, conn.conn_id, conn.next_id))
    cid = conn.start_call(method, marker)
    if not gbtest.wait_for(lambda: os.path.exists(marker)):
        raise AssertionError("%s did not start" % method)
    return cid


class ServedTestCase(unittest.TestCase):
    """One served worker for the class: ``main`` (the main thread's call
    connection), ``thread`` (a call connection of its own thread) and
    ``control``."""

    served_options = {}   # type: dict

    @classmethod
    def setUpClass(cls):
        cls.served = Served(**cls.served_options)
        cls.main = cls.served.connect()
        cls.thread = cls.served.connect()
        cls.control = cls.served.connect("control")

    @classmethod
    def tearDownClass(cls):
        status = cls.served.stop()
        if status != 0:
            raise AssertionError("the worker exited with %r; stderr:\n%s"
                                 % (status, cls.served.stderr()))


class CallModesMixin:
    """The four call modes, bytes, describe, ping and cancel over the
    class's worker."""

    def test_connections_run_where_expected(self):
        self.assertTrue(self.main.value("on_main_thread"))
        self.assertFalse(self.thread.value("on_main_thread"))

    def test_plain_call(self):
        for conn in (self.main, self.thread):
            self.assertEqual(conn.value("add", 20, 22), 42)
        msg = self.main.call("raise_value_error", "boom")
        self.assertEqual(msg["error"]["code"], "RemoteException")
        self.assertEqual(msg["error"]["message"], "boom")

    def test_bytes_roundtrip(self):
        data = os.urandom(3 * 1024 * 1024 + 7)   # many TLS records
        self.assertEqual(
            self.thread.value("bytes_echo", {"$bytes": 0}, atts=[data]),
            data)

    def test_server_stream(self):
        items, end = self.main.stream("range_gen", 0, 5)
        self.assertEqual((items, end["type"]), ([0, 1, 2, 3, 4], "end"))

    def test_server_stream_with_credit(self):
        conn = self.thread
        cid = conn.start_call("range_gen", 0, 5000, window=100)
        items = []
        while True:
            msg, _ = conn.recv()
            self.assertEqual(msg["id"], cid)
            if msg["type"] != "chunk":
                break
            items.extend(msg["items"])
            conn.send({"type": "credit", "id": cid, "n": len(msg["items"])})
        self.assertEqual(msg["type"], "end")
        self.assertEqual(items, list(range(5000)))

    def test_client_stream(self):
        conn = self.thread
        cid = conn.start_call("sum_stream", {"$stream": 0})
        self.assertEqual(conn.recv_msg()["type"], "credit")
        conn.send({"type": "chunk", "id": cid, "items": [1, 2, 3]})
        conn.send({"type": "chunk", "id": cid, "items": [4]})
        conn.send({"type": "end", "id": cid})
        items, end, _ = conn.collect(cid)
        self.assertEqual((items, end["type"], end["value"]),
                         ([], "result", 10))

    def test_bidi(self):
        conn = self.main
        cid = conn.start_call("process_users", {"$stream": 0})
        self.assertEqual(conn.recv_msg()["type"], "credit")
        users = [{"id": i, "name": "u%d" % i, "score": i} for i in range(20)]
        got = []
        for user in users[:3]:      # each item out before the next goes in
            conn.send({"type": "chunk", "id": cid, "items": [user]})
            msg = conn.recv_msg()
            self.assertEqual(msg["type"], "chunk")
            got.extend(msg["items"])
        conn.send({"type": "chunk", "id": cid, "items": users[3:]})
        conn.send({"type": "end", "id": cid})
        items, end, _ = conn.collect(cid)
        self.assertEqual(end["type"], "end")
        self.assertEqual(got + items,
                         [{"id": u["id"], "name": u["name"].upper(),
                           "score": u["score"] * 2} for u in users])

    def test_describe(self):
        conn = self.thread
        conn.send({"type": "describe", "id": conn.next_id})
        conn.next_id += 1
        msg = conn.recv_msg()
        self.assertEqual(msg["type"], "result")
        names = [entry["name"] for entry in msg["value"]]
        self.assertIn("process_users", names)

    def test_ping(self):
        self.control.send({"type": "ping", "seq": 7})
        self.assertEqual(self.control.recv_msg(), {"type": "pong", "seq": 7})

    def test_cancel_is_acknowledged(self):
        for conn in (self.main, self.thread):
            cid = start_marked(self.served, conn, "busy_loop")
            conn.send({"type": "cancel", "id": cid})
            self.control.send({"type": "cancel", "conn": conn.conn_id,
                               "id": cid})
            msg = conn.recv_msg()
            self.assertEqual((msg["type"], msg["id"],
                              msg["error"]["code"]),
                             ("error", cid, "Cancelled"))
            self.assertEqual(conn.value("add", 1, 2), 3)

    def test_logs_on_control_while_it_reads(self):
        """Records logged outside calls go out on the control connection
        while its thread waits for pings (a write and a read on one TLS
        connection at the same time)."""
        for i in range(20):
            self.assertIsNone(self.main.value("log_outside", "note %d" % i))
            self.control.send({"type": "ping", "seq": i})
        seen = []
        pongs = 0
        while pongs < 20:
            msg = self.control.recv_msg()
            if msg["type"] == "pong":
                pongs += 1
            else:
                self.assertEqual(msg["type"], "log")
                seen.append(msg)
        self.assertEqual(len(seen), 20)
        self.assertIn("note 19", str(seen[-1]))

    def test_logs_return_to_the_control_after_a_check(self):
        """A readiness check opens a second control connection for a
        moment: while it is open, records logged outside calls go to it;
        once it closes, to the client's control connection again."""
        probe = self.served.connect("control")
        self.assertIsNone(self.main.value("log_outside", "to the probe"))
        self.assertIn("to the probe", str(probe.recv_msg()))
        probe.close()
        for i in range(int(TIMEOUT / 0.05)):
            self.assertIsNone(self.main.value("log_outside", "back %d" % i))
            if not self.control.quiet_for(0.05):
                break
        msg = self.control.recv_msg()
        self.assertEqual(msg["type"], "log")
        self.assertIn("back", str(msg))
        # Records are written before log_outside returns: all of them are
        # read once the pong of a later ping is.
        self.control.send({"type": "ping", "seq": 999})
        while msg != {"type": "pong", "seq": 999}:
            msg = self.control.recv_msg()

    def test_printed_lines_do_not_disturb(self):
        self.assertIsNone(self.main.value("say", "hello from the worker"))
        self.assertEqual(self.main.value("add", 1, 1), 2)


class TlsCallsTest(CallModesMixin, ServedTestCase):
    served_options = {"tls": True}


class MutualTlsCallsTest(CallModesMixin, ServedTestCase):
    served_options = {"tls": True, "client_ca": True}

    def assert_refused(self, context):
        """The worker ends a TLS connection whose client it refuses,
        before any message (TLS 1.3 reports it at the first read)."""
        try:
            conn = self.served.raw(context=context)
            conn.send({"type": "hello", "version": 1,
                       "token": self.served.token, "role": "call"})
            self.assertTrue(conn.closed_by_peer())
        except (ssl.SSLError, ConnectionError):
            pass    # refused during the handshake
        self.assertTrue(gbtest.wait_for(
            lambda: "TLS handshake with 127.0.0.1" in self.served.stderr()),
            self.served.stderr())
        self.assertEqual(self.main.value("add", 1, 2), 3)

    def test_no_client_certificate_is_refused(self):
        self.assert_refused(client_context(None))

    def test_certificate_of_another_ca_is_refused(self):
        self.assert_refused(client_context("stranger"))


class RefusalTest(unittest.TestCase):
    """Connections and configurations a worker refuses, with the reason."""

    @classmethod
    def setUpClass(cls):
        cls.tls = Served(tls=True)
        cls.plain = Served(tls=False, options=["--insecure"])

    @classmethod
    def tearDownClass(cls):
        statuses = (cls.tls.stop(), cls.plain.stop())
        if statuses != (0, 0):
            raise AssertionError("exit statuses %r; stderr:\n%s\n%s"
                                 % (statuses, cls.tls.stderr(),
                                    cls.plain.stderr()))

    def test_wrong_token(self):
        for served in (self.tls, self.plain):
            conn = served.raw()
            reply = conn.hello("0" * 64)
            self.assertEqual(reply["type"], "error")
            self.assertEqual(reply["error"]["code"], "Unauthorized")
            self.assertTrue(conn.closed_by_peer())
            self.assertEqual(served.connect().value("add", 2, 3), 5)

    def test_plain_tcp_to_a_tls_port(self):
        conn = self.tls.raw(tls=False)
        conn.send({"type": "hello", "version": 1, "token": self.tls.token,
                   "role": "call"})
        # No answer but the end of the connection (the bytes were no TLS).
        self.assertTrue(conn.closed_by_peer())
        self.assertTrue(gbtest.wait_for(
            lambda: "wrong version number" in self.tls.stderr().lower()),
            self.tls.stderr())

    def test_tls_to_a_plain_port(self):
        with self.assertRaises(ssl.SSLError):
            self.plain.raw(tls=True)
        self.assertEqual(self.plain.connect().value("add", 2, 3), 5)

    def test_tcp_probe_is_quiet(self):
        """An orchestrator's TCP probe connects and closes: no noise on
        stderr, and the worker keeps serving."""
        before = self.tls.stderr()
        for _ in range(3):
            socket.create_connection(("127.0.0.1", self.tls.port)).close()
        self.assertEqual(self.tls.connect().value("add", 2, 3), 5)
        self.assertEqual(self.tls.stderr(), before)

    @unittest.skipUnless(socket.has_dualstack_ipv6(),
                         "this machine has no dual-stack IPv6 socket")
    def test_every_interface_takes_both_families(self):
        """``--listen :PORT`` answers on IPv4 and on IPv6."""
        token_file = os.path.join(self.tls.dir, "token")
        proc = subprocess.Popen(
            [sys.executable, "-m", "gobridge", "serve", TEST_WORKER,
             "--listen", ":0", "--token-file", token_file, "--tls-cert",
             cert("server.pem"), "--tls-key", cert("server.key")],
            env=worker_env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stderr.readline()
            match = re.search(r" on \[::\]:(\d+) ", line)
            self.assertIsNotNone(match, line)
            port = int(match.group(1))
            for host in ("127.0.0.1", "::1"):
                with self.subTest(host=host):
                    conn = gbtest.connect_tcp(host, port, client_context(),
                                              server_hostname="localhost")
                    self.assertEqual(conn.hello(self.tls.token)["type"],
                                     "hello")
                    self.assertEqual(conn.value("add", 2, 3), 5)
                    conn.close()
        finally:
            proc.terminate()
            proc.wait(5)
            proc.stderr.close()

    def test_token_from_environment(self):
        token = secrets.token_hex(8)
        env = worker_env({"GB_TEST_TOKEN": token})
        proc = subprocess.Popen(
            [sys.executable, "-m", "gobridge", "serve", TEST_WORKER,
             "--listen", "127.0.0.1:0", "--insecure", "--token-env",
             "GB_TEST_TOKEN"], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stderr.readline()
            port = int(re.search(r"127\.0\.0\.1:(\d+) ", line).group(1))
            conn = gbtest.connect_tcp("127.0.0.1", port)
            self.assertEqual(conn.hello(token)["type"], "hello")
            # The variable is gone: processes the worker starts do not see
            # it.
            self.assertIsNone(conn.value("env_get", "GB_TEST_TOKEN"))
            conn.close()
        finally:
            proc.terminate()
            proc.wait(5)
            proc.stderr.close()

    def assert_refused_at_start(self, args: List[str], reason: str):
        proc = subprocess.run(
            [sys.executable, "-m", "gobridge", "serve", TEST_WORKER] + args,
            env=worker_env(), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, EXIT_USAGE, proc.stderr)
        self.assertIn(reason, proc.stderr)

    def test_refused_configurations(self):
        token = os.path.join(self.tls.dir, "token")
        tls = ["--tls-cert", cert("server.pem"), "--tls-key",
               cert("server.key")]
        cases = [
            (["--listen", "0.0.0.0:0", "--insecure", "--token-file", token],
             "loopback addresses only"),
            (["--listen", ":0", "--insecure", "--token-file", token],
             "loopback addresses only"),
            (["--listen", "127.0.0.1:0", "--token-file", token],
             "TLS needs --tls-cert and --tls-key"),
            (["--listen", "127.0.0.1:0"] + tls, "a token is required"),
            (["--listen", "127.0.0.1:0", "--token-env", "GB_NOT_SET"] + tls,
             "GB_NOT_SET is not set"),
            (["--listen", "127.0.0.1:0", "--token-file", token,
              "--tls-cert", cert("server.pem"), "--tls-key",
              cert("client.key")], "cannot load the certificate"),
            (["--listen", "127.0.0.1", "--token-file", token] + tls,
             "is not HOST:PORT"),
        ]
        for args, reason in cases:
            with self.subTest(args=args):
                self.assert_refused_at_start(args, reason)


class ListenTest(unittest.TestCase):
    """NetListener.listen() on a name with several addresses: every one of
    them, on one port (the resolver is the test's: this machine's names
    have one address each)."""

    @staticmethod
    def answers(*addresses: str):
        """A getaddrinfo() that resolves any name to addresses."""
        def getaddrinfo(host, port, *args, **kwargs):
            infos = []
            for address in addresses:
                if ":" in address:
                    infos.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "",
                                  (address, port, 0, 0)))
                else:
                    infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "",
                                  (address, port)))
            return infos
        return getaddrinfo

    def listener(self, host: str):
        from gobridge._remote import NetListener
        return NetListener(host, 0, "token", None, 2.0, 1 << 20, None,
                           "worker.py")

    def test_every_address_of_a_name(self):
        net = self.listener("workers.test")
        addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.2"]  # one twice
        if socket.has_ipv6:
            addresses.append("::1")
        with mock.patch("socket.getaddrinfo",
                        side_effect=self.answers(*addresses)):
            sockets = net.listen()
        try:
            expected = list(dict.fromkeys(addresses))
            self.assertEqual(len(sockets), len(expected))
            self.assertEqual(net.addresses, expected)
            self.assertEqual(net.host, "workers.test")
            self.assertNotEqual(net.port, 0)
            self.assertEqual(net.describe(), "workers.test:%d (%s)"
                             % (net.port, ", ".join(expected)))
            for listener, address in zip(sockets, expected):
                self.assertEqual(listener.getsockname()[:2],
                                 (address, net.port))
                with socket.create_connection((address, net.port), 5):
                    accepted, _ = listener.accept()
                    accepted.close()
        finally:
            for listener in sockets:
                listener.close()

    def test_one_address_is_the_host(self):
        net = self.listener("workers.test")
        with mock.patch("socket.getaddrinfo",
                        side_effect=self.answers("127.0.0.2")):
            sockets = net.listen()
        try:
            self.assertEqual(len(sockets), 1)
            self.assertEqual(net.describe(), "127.0.0.2:%d" % net.port)
        finally:
            sockets[0].close()

    def test_an_address_that_cannot_be_bound(self):
        """One address in use: listen() fails and leaves nothing open."""
        taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        taken.bind(("127.0.0.3", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        net = self.listener("workers.test")
        net.port = port
        before = set(os.listdir("/proc/self/fd"))
        try:
            with mock.patch("socket.getaddrinfo",
                            side_effect=self.answers("127.0.0.2",
                                                      "127.0.0.3")):
                with self.assertRaises(OSError):
                    net.listen()
            # The socket bound to 127.0.0.2 was closed again.
            self.assertEqual(set(os.listdir("/proc/self/fd")), before)
        finally:
            taken.close()


class ServeOnANameTest(unittest.TestCase):
    """``serve --listen NAME:0`` where NAME resolves to two addresses (a
    real serve process whose resolver is replaced before it starts: this
    machine's names have one address each): both answer, on one port."""

    def test_both_addresses_serve(self):
        token = secrets.token_hex(8)
        launcher = (
            "import runpy, socket, sys\n"
            "real = socket.getaddrinfo\n"
            "def getaddrinfo(host, port, *args, **kwargs):\n"
            "    if host != 'workers.test':\n"
            "        return real(host, port, *args, **kwargs)\n"
            "    return [(socket.AF_INET, socket.SOCK_STREAM, 6, '', (a, port))\n"
            "            for a in ('127.0.0.2', '127.0.0.3')]\n"
            "socket.getaddrinfo = getaddrinfo\n"
            "sys.argv = ['gobridge'] + sys.argv[1:]\n"
            "runpy.run_module('gobridge', run_name='__main__')\n")
        proc = subprocess.Popen(
            [sys.executable, "-c", launcher, "serve", TEST_WORKER,
             "--listen", "workers.test:0", "--insecure", "--token-env",
             "GB_TEST_TOKEN"],
            env=worker_env({"GB_TEST_TOKEN": token}),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stderr.readline()
            match = re.search(r" on workers\.test:(\d+) "
                              r"\(127\.0\.0\.2, 127\.0\.0\.3\) ", line)
            self.assertIsNotNone(match, line)
            port = int(match.group(1))
            conns = [gbtest.connect_tcp(host, port)
                     for host in ("127.0.0.2", "127.0.0.3")]
            for conn in conns:
                self.assertEqual(conn.hello(token)["type"], "hello")
            for i, conn in enumerate(conns):
                self.assertEqual(conn.value("add", i, 10), i + 10)
            for conn in conns:
                conn.close()
        finally:
            proc.terminate()
            proc.wait(5)
            proc.stderr.close()


class CheckTest(unittest.TestCase):
    """``python3 -m gobridge check``: exit status and message."""

    @classmethod
    def setUpClass(cls):
        cls.mtls = Served(tls=True, client_ca=True)
        cls.plain = Served(tls=False, options=["--insecure"])

    @classmethod
    def tearDownClass(cls):
        cls.mtls.stop()
        cls.plain.stop()

    def address(self, served: Served) -> str:
        return "127.0.0.1:%d" % served.port

    def mtls_args(self, client: bool = True) -> List[str]:
        args = [self.address(self.mtls), "--tls-ca", cert("ca.pem"),
                "--token-file", self.mtls.token_file]
        if client:
            args += ["--tls-cert", cert("client.pem"),
                     "--tls-key", cert("client.key")]
        return args

    def test_healthy(self):
        result = check(*self.mtls_args())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("healthy", result.stdout)
        result = check(self.address(self.plain), "--insecure",
                       "--token-file", self.plain.token_file)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_wrong_token(self):
        wrong = os.path.join(self.mtls.dir, "wrong-token")
        with open(wrong, "w") as handle:
            handle.write("not the token\n")
        args = self.mtls_args()
        args[args.index("--token-file") + 1] = wrong
        result = check(*args)
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn("Unauthorized", result.stderr)

    def test_nothing_listening(self):
        result = check("127.0.0.1:%d" % free_port(), "--insecure",
                       "--token-file", self.plain.token_file)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("cannot connect", result.stderr)

    def test_tls_problems(self):
        # No client certificate under mutual TLS; TLS to a plain port; a
        # worker certificate the given CA did not sign.
        other = self.mtls_args()
        other[other.index("--tls-ca") + 1] = cert("otherca.pem")
        for args in (self.mtls_args(client=False),
                     [self.address(self.plain), "--tls-ca", cert("ca.pem"),
                      "--token-file", self.plain.token_file],
                     other):
            with self.subTest(args=args):
                result = check(*args)
                self.assertEqual(result.returncode, 3, result.stderr)
                self.assertIn("TLS", result.stderr)

    def test_usage(self):
        self.assertEqual(check(self.address(self.plain)).returncode,
                         EXIT_USAGE)


class CancelGraceTest(unittest.TestCase):
    """The remote end of the cancellation ladder: a cancelled call that
    still runs after ``--cancel-grace`` makes the worker exit."""

    GRACE = 0.3

    def setUp(self):
        # A cancel that is acknowledged must be, within the grace period,
        # even on a loaded machine: that test has a longer one.
        if self._testMethodName == "test_acknowledged_cancel_keeps_the_worker":
            self.GRACE = 1.0
        self.served = Served(grace=self.GRACE)
        self.addCleanup(self.served.stop)
        self.main = self.served.connect()
        self.thread = self.served.connect()
        self.control = self.served.connect("control")

    def cancel(self, conn: gbtest.Conn, cid: int) -> float:
        conn.send({"type": "cancel", "id": cid})
        self.control.send({"type": "cancel", "conn": conn.conn_id,
                           "id": cid})
        return time.monotonic()

    def assert_exits_after_grace(self, conn: gbtest.Conn, method: str):
        cid = start_marked(self.served, conn, method)
        cancelled = self.cancel(conn, cid)
        status = self.served.wait_exit()
        self.assertGreaterEqual(time.monotonic() - cancelled, self.GRACE)
        self.assertEqual(status, EXIT_CANCEL_TIMEOUT, self.served.stderr())
        self.assertIn("call %d (%s) on connection %d was cancelled"
                      % (cid, method, conn.conn_id), self.served.stderr())
        self.assertTrue(conn.closed_by_peer())

    def test_swallowing_call_on_main_thread(self):
        self.assert_exits_after_grace(self.main, "ignore_cancel")

    def test_call_blocked_in_c_on_another_thread(self):
        # time.sleep on a thread other than the main one is not woken.
        cid = self.thread.start_call("sleep", 600.0,
                                     self.served.marker("sleeping"))
        self.assertTrue(gbtest.wait_for(
            lambda: os.path.exists(self.served.marker("sleeping"))))
        # The marker exists from its open(), a few bytecodes before
        # time.sleep: a cancel that came then would land in Python code and
        # end the call as Cancelled (correctly, but not what this tests).
        # Give the thread time to get into the sleep.
        time.sleep(0.2)
        cancelled = self.cancel(self.thread, cid)
        self.assertEqual(self.served.wait_exit(), EXIT_CANCEL_TIMEOUT,
                         self.served.stderr())
        self.assertGreaterEqual(time.monotonic() - cancelled, self.GRACE)
        self.assertIn("(sleep)", self.served.stderr())

    def test_acknowledged_cancel_keeps_the_worker(self):
        cid = start_marked(self.served, self.thread, "busy_loop")
        self.cancel(self.thread, cid)
        self.assertEqual(self.thread.recv_msg()["error"]["code"],
                         "Cancelled")
        # Past the grace period the worker still serves.
        self.assertIsNone(self.served.wait_exit(2 * self.GRACE))
        self.assertEqual(self.thread.value("add", 1, 2), 3)
        self.assertEqual(self.main.value("add", 3, 4), 7)


if __name__ == "__main__":
    unittest.main()
