"""Tests of the public Python API (in process, no sockets)."""

import typing
import unittest
from typing import Iterable, Iterator

import gobridge as package
from gobridge import Cancelled, gobridge, run
from gobridge import _registry


class PublicNamesTest(unittest.TestCase):

    def test_exports(self):
        self.assertEqual(sorted(package.__all__),
                         ["Cancelled", "gobridge", "run"])
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

    def test_sorted(self):
        names = [e["name"] for e in _registry.describe_all()]
        self.assertEqual(names, sorted(names))


if __name__ == "__main__":
    unittest.main()
