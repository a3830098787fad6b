"""Tests of the public Python API (in process, no sockets)."""

import functools
import inspect
import os
import subprocess
import sys
import typing
import unittest
from typing import Iterable, Iterator

import gobridge as package
from gobridge import Cancelled, gobridge, run
from gobridge import _registry


class PublicNamesTest(unittest.TestCase):

    def test_exports(self):
        self.assertEqual(sorted(package.__all__),
                         ["CallHandle", "Cancelled", "current_call", "gobridge",
                          "progress", "run"])
        self.assertRegex(package.__version__, r"^\d+\.\d+\.\d+$")
        self.assertTrue(callable(run))

    def test_cancelled_is_a_base_exception(self):
        self.assertTrue(issubclass(Cancelled, BaseException))
        self.assertFalse(issubclass(Cancelled, Exception))
        self.assertIs(gobridge.Cancelled, Cancelled)
        self.assertIn("InterruptedError", Cancelled.__doc__)
        self.assertIn("except Exception", Cancelled.__doc__)
        self.assertEqual(Cancelled.__module__, "gobridge")

    def test_except_exception_does_not_catch_cancelled(self):
        def swallow():
            try:
                raise Cancelled()
            except Exception:
                return "swallowed"
        with self.assertRaises(Cancelled):
            swallow()


class DecoratorTest(unittest.TestCase):

    def test_bare_decorator_returns_the_function(self):
        def api_plain(a, b):
            return a + b
        self.assertIs(gobridge(api_plain), api_plain)
        self.assertIs(_registry.lookup("api_plain").fn, api_plain)
        self.assertEqual(api_plain(1, 2), 3)

    def test_renaming(self):
        @gobridge(name="api_other_name")
        def api_renamed():
            return 1

        @gobridge("api_positional_name")
        def api_renamed2():
            return 2

        self.assertIs(_registry.lookup("api_other_name").fn, api_renamed)
        self.assertIsNone(_registry.lookup("api_renamed"))
        self.assertIs(_registry.lookup("api_positional_name").fn, api_renamed2)

    def test_lookup_is_registry_only(self):
        self.assertIsNone(_registry.lookup("__import__"))
        self.assertIsNone(_registry.lookup("run"))

    def test_async_functions_are_refused(self):
        async def coro():
            return 1
        with self.assertRaises(TypeError):
            gobridge(coro)

    def test_non_callable_is_refused(self):
        with self.assertRaises(TypeError):
            gobridge(42)

    def test_kinds_agree_with_inspect(self):
        # The registry tells generators and async functions apart without
        # importing inspect; it must answer what inspect answers, through
        # wrappers, partials and bound methods.
        def gen(n):
            yield n

        def plain(n):
            return n

        async def coro(n):
            return n

        async def agen(n):
            yield n

        @functools.wraps(gen)
        def wrapped_gen(*args):
            return gen(*args)

        class Holder:
            def method_gen(self, n):
                yield n

        cases = {
            "gen": gen, "plain": plain, "coro": coro, "agen": agen,
            "partial gen": functools.partial(gen, 1),
            "partial of partial": functools.partial(functools.partial(gen), 1),
            "bound method gen": Holder().method_gen,
            "partial bound method": functools.partial(Holder().method_gen, 1),
            "builtin": len, "class": Holder, "lambda": lambda: 1,
        }
        for label, fn in cases.items():
            with self.subTest(label):
                expected = inspect.isgeneratorfunction(fn)
                if label == "partial bound method":
                    expected = True   # Python 3.9's inspect misses it
                self.assertEqual(
                    _registry._has_code_flag(fn, _registry._CO_GENERATOR),
                    expected)
                self.assertEqual(
                    _registry._has_code_flag(fn, _registry._CO_COROUTINE),
                    inspect.iscoroutinefunction(fn))
                self.assertEqual(
                    _registry._has_code_flag(
                        fn, _registry._CO_ASYNC_GENERATOR),
                    inspect.isasyncgenfunction(fn))
        self.assertIs(_registry._unwrap(wrapped_gen), gen)
        self.assertTrue(_registry.Function("w", wrapped_gen).is_generator)
        self.assertFalse(_registry.Function("p", plain).is_generator)

    def test_wrapped_async_functions_are_refused(self):
        async def coro():
            return 1

        @functools.wraps(coro)
        def looks_sync():
            return coro()
        with self.assertRaises(TypeError):
            gobridge(looks_sync)

    def test_wrapper_loop_is_an_error(self):
        def loop():
            return 1
        loop.__wrapped__ = loop
        with self.assertRaises(ValueError):
            _registry._unwrap(loop)

    def test_import_stays_light(self):
        # Every worker start pays for what "import gobridge" imports: not
        # inspect (10-15 ms) nor OpenSSL through hmac (5-8 ms).
        code = ("import sys, gobridge; "
                "print(sorted(m for m in ('inspect', 'hmac', '_hashlib', "
                "'ctypes') if m in sys.modules))")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.dirname(os.path.dirname(package.__file__))]
            + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        out = subprocess.run([sys.executable, "-c", code], env=env,
                             capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.strip(), "[]")


class DescribeTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        @gobridge
        def api_call(a: int, b: int = 2) -> int:
            """Add things."""
            return a + b

        @gobridge
        def api_server(n: int) -> Iterator[int]:
            yield from range(n)

        @gobridge
        def api_client(items: Iterable[int]) -> int:
            return sum(items)

        @gobridge
        def api_bidi(items: "Iterator[dict]") -> Iterator[dict]:
            yield from items

        @gobridge
        def api_abc(items: typing.Iterator) -> int:
            return 0

        class BadRepr:
            def __repr__(self):
                raise RuntimeError("no repr")

        @gobridge
        def api_bad_default(x=BadRepr()) -> int:
            return 0

    def entry(self, name):
        return {e["name"]: e for e in _registry.describe_all()}[name]

    def test_modes(self):
        self.assertEqual(self.entry("api_call")["mode"], "call")
        self.assertEqual(self.entry("api_server")["mode"], "server_stream")
        self.assertEqual(self.entry("api_client")["mode"], "client_stream")
        self.assertEqual(self.entry("api_bidi")["mode"], "bidi")
        self.assertEqual(self.entry("api_abc")["mode"], "client_stream")

    def test_signature_and_doc(self):
        entry = self.entry("api_call")
        self.assertEqual(entry["signature"], "(a: int, b: int = 2) -> int")
        self.assertEqual(entry["doc"], "Add things.")
        self.assertEqual(self.entry("api_server")["doc"], "")

    def test_params(self):
        self.assertEqual(self.entry("api_call")["params"], [
            {"name": "a", "kind": "positional_or_keyword", "stream": False,
             "annotation": "int"},
            {"name": "b", "kind": "positional_or_keyword", "stream": False,
             "annotation": "int", "default": "2"}])
        self.assertTrue(self.entry("api_abc")["params"][0]["stream"])
        self.assertEqual(self.entry("api_abc")["params"][0]["annotation"],
                         "Iterator")

    def test_default_without_repr(self):
        # A default whose repr() raises does not break describe.
        self.assertEqual(self.entry("api_bad_default")["params"][0]["default"],
                         "<BadRepr object>")
        self.assertEqual(self.entry("api_bad_default")["signature"], "(...)")

    def test_sorted(self):
        names = [e["name"] for e in _registry.describe_all()]
        self.assertEqual(names, sorted(names))


if __name__ == "__main__":
    unittest.main()
