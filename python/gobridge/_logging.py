"""Python ``logging`` records, sent to the host as ``log`` messages.

``run()`` installs :class:`Handler` on the root logger. A record logged by
a thread that runs a call goes out on that call's connection with the call's
id (so it arrives before the call's result); any other record goes out on
the control connection (docs/protocol.md sections 5 and 6). Which records
exist is Python's business: the loggers' levels decide, as in any Python
program (the root logger passes WARNING and above unless the script or
the pool's ``GOBRIDGE_LOG_LEVEL`` says otherwise).

A record that cannot go out (no control connection yet, or it closed) goes
where Python sends records nobody handles: ``logging.lastResort``, which
writes WARNING and above to stderr, and so to the host's stderr path.
"""

import sys
import threading
from typing import Any, Callable, Optional

from ._connection import serving
from ._messages import encode_log

#: Longest text of a record's fields (characters).
TEXT_LIMIT = 65536
#: How much of the message and the exception text a record keeps when the
#: whole record would not fit a frame.
_SHORT = 200


def _make_handler_class(logging: Any) -> Any:
    """The handler class, made once ``logging`` is imported."""
    import traceback

    def _exception_text(record: logging.LogRecord) -> Optional[str]:
        parts = []
        if record.exc_info and record.exc_info[0] is not None:
            parts.append("".join(traceback.format_exception(*record.exc_info)))
        elif record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        return "\n".join(p.rstrip("\n") for p in parts) if parts else None

    def _fields(record: logging.LogRecord) -> dict:
        return {
            "level": record.levelno,
            "logger": record.name,
            "message": record.getMessage(),
            "exc": _exception_text(record),
            "file": record.pathname,
            "line": record.lineno,
            "func": record.funcName,
            "thread": record.threadName,
            "time": record.created,
        }

    class Handler(logging.Handler):
        """Sends each record it handles to the host."""

        def __init__(self, control_write: Callable[[bytes], bool],
                     max_frame: int) -> None:
            logging.Handler.__init__(self)
            self._control_write = control_write
            self._max_frame = max_frame
            self._limit = max(_SHORT, min(TEXT_LIMIT, max_frame // 64))
            self._busy = threading.local()   # a record logged while sending one

        def emit(self, record: logging.LogRecord) -> None:
            busy = self._busy
            if getattr(busy, "on", False):
                return
            busy.on = True
            try:
                self._send(record)
            finally:
                busy.on = False

        def _encode(self, cid: Optional[int], fields: dict) -> Optional[bytes]:
            """The record's message, or None if even cut short it would not
            fit a frame."""
            payload = encode_log(cid, fields, self._limit)
            if len(payload) > self._max_frame:
                payload = encode_log(cid, fields, _SHORT)
                if len(payload) > self._max_frame:
                    return None
            return payload

        def _send(self, record: logging.LogRecord) -> None:
            try:
                fields = _fields(record)
            except Exception:
                self.handleError(record)
                return
            conn = serving()
            cid = conn.current if conn is not None else 0
            payload = self._encode(cid or None, fields)
            if payload is None:
                pass
            elif cid:
                if conn.write_in_call(cid, payload):
                    return
            elif self._control_write(payload):
                return
            last = logging.lastResort
            if last is not None and record.levelno >= last.level:
                last.handle(record)

    return Handler


class _ImportHook:
    """Installs the handler when the script first imports ``logging``.

    Importing ``logging`` costs a few milliseconds of every worker start, so
    a worker whose code never logs does not pay it.
    """

    def __init__(self, install: Callable[[Any], None]) -> None:
        self._install = install

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _InstallingLoader(spec.loader, self._install)
        return spec


class _InstallingLoader:
    def __init__(self, loader: Any, install: Callable[[Any], None]) -> None:
        self._loader = loader
        self._install = install

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        self._install(module)


def install(control_write: Callable[[bytes], bool], max_frame: int,
            level_text: Optional[str]) -> None:
    """Add the handler to the root logger, now or once the script imports
    ``logging``; ``level_text`` (from ``GOBRIDGE_LOG_LEVEL``) sets the root
    logger's level when given."""
    def install_into(logging: Any) -> None:
        _install(logging, control_write, max_frame, level_text)

    logging = sys.modules.get("logging")
    if logging is not None or level_text:
        if logging is None:
            import logging
        install_into(logging)
    else:
        sys.meta_path.insert(0, _ImportHook(install_into))


def _install(logging: Any, control_write: Callable[[bytes], bool],
             max_frame: int, level_text: Optional[str]) -> None:
    root = logging.getLogger()
    handler = _make_handler_class(logging)(control_write, max_frame)
    root.addHandler(handler)
    if level_text:
        try:
            level = int(level_text)
        except ValueError:
            level = logging.getLevelName(level_text.upper())
        if isinstance(level, int):
            root.setLevel(level)
