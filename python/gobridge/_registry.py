"""The ``@gobridge`` decorator, the registry of exposed functions and
:class:`Cancelled`."""

import collections.abc
import inspect
import re
import threading
import typing
from typing import Any, Callable, Dict, List, Optional, Union


class Cancelled(BaseException):
    """Raised inside a running ``@gobridge`` function when the host cancels it.

    The worker raises it in three ways, depending on where the call is:

    * an input iterator (an ``Iterator`` argument fed by the host) raises it
      from ``next()``;
    * running Python code gets it injected asynchronously (a busy loop stops
      within milliseconds);
    * a call running on the worker's main thread is also woken from blocking
      calls such as ``time.sleep`` (by a signal).

    An output generator that is suspended at a ``yield`` is closed instead
    (``GeneratorExit`` at the ``yield``), as Python does for abandoned
    generators.

    Unlike the original gobridge, which raised ``InterruptedError`` (an
    ``OSError``, hence an ``Exception``), ``Cancelled`` derives from
    :class:`BaseException`, like :class:`asyncio.CancelledError`. An
    ``except Exception:`` block in user code therefore does not swallow a
    cancellation; use ``try: ... finally:`` (or ``except Cancelled:`` and
    re-raise) to clean up.
    """


_STREAM_ORIGINS = (collections.abc.Iterator, collections.abc.Iterable)
_STREAM_ANNOTATION = re.compile(r"\b(Iterator|Iterable)\b")


def _is_stream_annotation(annotation: Any) -> bool:
    """Best effort: is ``annotation`` an Iterator[...] / Iterable[...]?"""
    if annotation is inspect.Parameter.empty:
        return False
    if isinstance(annotation, str):
        return _STREAM_ANNOTATION.search(annotation) is not None
    if annotation in _STREAM_ORIGINS:
        return True
    return typing.get_origin(annotation) in _STREAM_ORIGINS


class Function:
    """A registered function and what the worker needs to know about it."""

    __slots__ = ("name", "fn", "is_generator", "_signature", "_described")

    def __init__(self, name: str, fn: Callable[..., Any]) -> None:
        self.name = name
        self.fn = fn
        self.is_generator = (
            inspect.isgeneratorfunction(fn)
            or inspect.isgeneratorfunction(inspect.unwrap(fn)))
        self._signature = None   # type: Optional[inspect.Signature]
        self._described = None   # type: Optional[Dict[str, Any]]

    def signature(self) -> Optional[inspect.Signature]:
        """The function's signature, or None when Python cannot tell."""
        if self._signature is None:
            try:
                self._signature = inspect.signature(self.fn)
            except (TypeError, ValueError):
                return None
        return self._signature

    def arguments_fit(self, args: List[Any]) -> bool:
        """True unless the signature shows that ``args`` cannot bind."""
        signature = self.signature()
        if signature is None:
            return True
        try:
            signature.bind(*args)
        except TypeError:
            return False
        return True

    def describe(self) -> Dict[str, Any]:
        """The entry of this function in a ``describe`` answer."""
        if self._described is None:
            signature = self.signature()
            takes_stream = False
            if signature is not None:
                takes_stream = any(
                    _is_stream_annotation(p.annotation)
                    for p in signature.parameters.values())
            if self.is_generator:
                mode = "bidi" if takes_stream else "server_stream"
            else:
                mode = "client_stream" if takes_stream else "call"
            self._described = {
                "name": self.name,
                "signature": str(signature) if signature is not None
                else "(...)",
                "doc": inspect.getdoc(self.fn) or "",
                "mode": mode,
            }
        return self._described


_registry = {}   # type: Dict[str, Function]
_registry_lock = threading.Lock()


def lookup(name: str) -> Optional[Function]:
    """The function exposed under ``name`` (never an attribute lookup)."""
    return _registry.get(name)


def describe_all() -> List[Dict[str, Any]]:
    """``describe`` answer: every exposed function, sorted by name."""
    with _registry_lock:
        entries = sorted(_registry.items())
    return [entry.describe() for _, entry in entries]


def _register(fn: Callable[..., Any],
              name: Optional[str]) -> Callable[..., Any]:
    if not callable(fn):
        raise TypeError("@gobridge needs a callable, not %r" % (fn,))
    target = inspect.unwrap(fn)
    if (inspect.iscoroutinefunction(target)
            or inspect.isasyncgenfunction(target)):
        raise TypeError("@gobridge does not support async functions: %r"
                        % (fn,))
    if name is None:
        name = getattr(fn, "__name__", None)
        if not isinstance(name, str):
            raise TypeError("%r has no __name__; use @gobridge(name=...)"
                            % (fn,))
    if not isinstance(name, str) or not name:
        raise TypeError("the exposed name must be a non-empty string")
    with _registry_lock:
        _registry[name] = Function(name, fn)
    return fn


def gobridge(fn: Union[Callable[..., Any], str, None] = None, *,
             name: Optional[str] = None) -> Any:
    """Expose a function to the host (``QGbPool``) and return it unchanged.

    Use it bare or with a name::

        @gobridge
        def add(a: int, b: int) -> int:
            return a + b

        @gobridge(name="sum_all")       # or @gobridge("sum_all")
        def my_sum(numbers: Iterator[int]) -> int:
            return sum(numbers)

    Only functions registered this way can be called; registering a name
    again replaces the earlier function. The calling mode follows the
    function: a generator function streams its ``yield``\\ s to the host; an
    argument the host sends as a channel arrives as an iterator.

    On cancellation the function gets :class:`gobridge.Cancelled`
    (``gobridge.Cancelled`` is also reachable as an attribute of this
    decorator).
    """
    if isinstance(fn, str):
        if name is not None:
            raise TypeError("give the name once")
        fn, name = None, fn
    if fn is None:
        def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
            return _register(func, name)
        return decorate
    return _register(fn, name)


gobridge.Cancelled = Cancelled   # type: ignore[attr-defined]
