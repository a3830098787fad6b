"""The ``@gobridge`` decorator, the registry of exposed functions and
:class:`Cancelled`."""

import collections.abc
import functools
import re
import threading
import types
import typing
from typing import Any, Callable, Dict, List, Optional, Union

# ``inspect`` (with ``dis``, ``ast``, ``tokenize`` ...) adds 10-15 ms to every
# worker start; it is imported only when a signature or docstring is needed.
# These are the code flags inspect.isgeneratorfunction() and friends test.
_CO_GENERATOR = 0x20
_CO_COROUTINE = 0x80
_CO_ASYNC_GENERATOR = 0x200


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


def _unwrap(fn: Any) -> Any:
    """``fn`` with its ``__wrapped__`` chain followed, as inspect.unwrap()."""
    seen = {id(fn)}
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
        if id(fn) in seen:
            raise ValueError("wrapper loop when unwrapping %r" % (fn,))
        seen.add(id(fn))
    return fn


def _has_code_flag(fn: Any, flag: int) -> bool:
    """What inspect._has_code_flag() answers, without importing inspect."""
    while isinstance(fn, types.MethodType):
        fn = fn.__func__
    while isinstance(fn, functools.partial):
        fn = fn.func
        while isinstance(fn, types.MethodType):
            fn = fn.__func__
    if not isinstance(fn, types.FunctionType):
        return False
    return bool(fn.__code__.co_flags & flag)


def _is_stream_annotation(annotation: Any) -> bool:
    """Best effort: is ``annotation`` an Iterator[...] / Iterable[...]?"""
    import inspect
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
            _has_code_flag(fn, _CO_GENERATOR)
            or _has_code_flag(_unwrap(fn), _CO_GENERATOR))
        self._signature = None   # type: Optional[Any] (inspect.Signature)
        self._described = None   # type: Optional[Dict[str, Any]]

    def signature(self) -> Optional[Any]:
        """The function's inspect.Signature, or None when Python cannot tell."""
        if self._signature is None:
            import inspect
            try:
                self._signature = inspect.signature(self.fn)
            except (TypeError, ValueError):
                return None
        return self._signature

    def arguments_fit(self, args: List[Any],
                      kwargs: Optional[Dict[str, Any]] = None) -> bool:
        """True unless the signature shows that ``args`` and ``kwargs``
        cannot bind."""
        signature = self.signature()
        if signature is None:
            return True
        try:
            signature.bind(*args, **(kwargs or {}))
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
            described = {
                "name": self.name,
                "signature": _signature_text(signature),
                "doc": _getdoc(self.fn),
                "mode": mode,
            }
            if signature is not None:
                described["params"] = [
                    _describe_parameter(p)
                    for p in signature.parameters.values()]
            self._described = described
        return self._described


def _signature_text(signature: Optional[Any]) -> str:
    """``str(signature)``; "(...)" if unknown, or if a default's repr fails."""
    if signature is None:
        return "(...)"
    try:
        return str(signature)
    except Exception:   # a broken __repr__ must not break describe
        return "(...)"


def _describe_parameter(parameter: Any) -> Dict[str, Any]:
    """One entry of ``params`` in a ``describe`` answer."""
    import inspect
    entry = {
        "name": parameter.name,
        "kind": parameter.kind.name.lower(),
        "stream": _is_stream_annotation(parameter.annotation),
    }   # type: Dict[str, Any]
    annotation = parameter.annotation
    if annotation is not inspect.Parameter.empty:
        # As the signature shows it, but a string annotation (a forward
        # reference) without the quotes the signature puts around it.
        entry["annotation"] = (annotation if isinstance(annotation, str)
                               else inspect.formatannotation(annotation))
    if parameter.default is not inspect.Parameter.empty:
        entry["default"] = _safe_repr(parameter.default)
    return entry


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:   # a broken __repr__ must not break describe
        return "<%s object>" % type(value).__name__


def _getdoc(fn: Any) -> str:
    import inspect
    return inspect.getdoc(fn) or ""


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
    target = _unwrap(fn)
    if _has_code_flag(target, _CO_COROUTINE | _CO_ASYNC_GENERATOR):
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
