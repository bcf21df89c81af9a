"""How the app is served: uvicorn with deadlines for idle and slow connections, and a connection limit.

uvicorn closes an idle keep-alive connection, but not one that is still sending
its headers, nor one that connects and says nothing: a client can hold either
forever. The protocol here gives a request's headers a deadline, from the moment
the connection opens or the first byte of the request arrives. The body's
deadline is the app's (``api.limits.BodyLimits``), which can answer with a 408.
"""

from __future__ import annotations

import asyncio
import http
import logging
from typing import Any, TextIO

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from cunzheng.ledger.settings import Settings

__all__ = ["AccessLine", "HeaderDeadlineProtocol", "access_line", "server_config"]

_ACCESS_FORMAT: str = LOGGING_CONFIG["formatters"]["access"]["fmt"]


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request headers are not in after *header_timeout* s."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection and start the clock for its first request's headers."""
        self._headers_due: asyncio.TimerHandle | None = None
        # Requests whose headers are in and whose response is not complete.
        self._in_progress = 0
        super().connection_made(transport)
        self.access_logger = access_line(self.access_logger)  # type: ignore[assignment]
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Feed *data* to the parser; the clock runs while a request's headers are incomplete."""
        super().data_received(data)
        if self._in_progress == 0:
            # Waiting for a request: a partial one has not told us its headers yet.
            if self._headers_due is None and not self.transport.is_closing():
                self._arm()
        else:
            self._disarm()

    def on_headers_complete(self) -> None:
        """Stop the clock: the request's body has the app's deadline (``api.limits``)."""
        self._in_progress += 1
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock and let uvicorn clean up."""
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        """Hand over to uvicorn's keep-alive timer until the next request's first byte."""
        self._in_progress = max(0, self._in_progress - 1)
        self._disarm()
        super().on_response_complete()

    def _arm(self) -> None:
        self._headers_due = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None

    def _headers_late(self) -> None:
        self._headers_due = None
        if self._in_progress == 0 and not self.transport.is_closing():
            self.transport.close()


_STATUS = {status.value: f"{status.value} {status.phrase}" for status in http.HTTPStatus}


class AccessLine:
    """uvicorn's access line, written straight to the stream of its logger's one handler.

    uvicorn logs a line per response through ``uvicorn.access``: a LogRecord,
    its copy in the formatter, the handler's lock and a flush, which cost a small
    request several per cent of its CPU. Where that logger is as uvicorn's default
    configuration leaves it (one stream handler, the default access format, no
    colours, no filters), this writes the same line itself; ``access_line``
    leaves a logger configured otherwise in place.
    """

    def __init__(self, logger: logging.Logger, handler: logging.StreamHandler[TextIO]) -> None:
        self.logger = logger
        self.handler = handler

    def info(self, msg: str, *args: Any) -> None:
        """Write the access line for uvicorn's arguments: client, method, path, HTTP version, status."""
        if self.logger.disabled or not self.logger.isEnabledFor(logging.INFO):
            return
        client, method, path, version, status = args
        shown = _STATUS.get(status) or f"{status} "
        line = f'INFO:     {client} - "{method} {path} HTTP/{version}" {shown}\n'
        handler = self.handler
        handler.acquire()
        try:
            handler.stream.write(line)
            handler.stream.flush()
        except Exception:
            handler.handleError(
                self.logger.makeRecord(self.logger.name, logging.INFO, "", 0, msg, args, None)
            )
        finally:
            handler.release()


def access_line(logger: logging.Logger) -> logging.Logger | AccessLine:
    """Return an AccessLine for *logger* if it is configured as uvicorn's default, else *logger* itself."""
    handlers = logger.handlers
    if len(handlers) != 1 or logger.filters or logger.propagate:
        return logger
    handler = handlers[0]
    formatter = handler.formatter
    if (
        type(handler) is not logging.StreamHandler
        or handler.filters
        or type(formatter) is not AccessFormatter
        or formatter.use_colors
        or formatter._fmt != _ACCESS_FORMAT
    ):
        return logger
    return AccessLine(logger, handler)


def server_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    """Return the uvicorn configuration serving *app* with the connection limits of *settings*.

    *options* are further ``uvicorn.Config`` arguments (host, port, log_level, ...).
    """
    protocol = type(
        "HeaderDeadlineProtocol",
        (HeaderDeadlineProtocol,),
        {"header_timeout": settings.header_timeout_s},
    )
    return uvicorn.Config(
        app,
        # httptools (C) parses HTTP/1.1 and uvloop (libuv) runs the event loop: the per-request
        # cost of h11 and of asyncio's pure-Python loop was much of a small request's CPU.
        http=protocol,
        loop="uvloop",
        timeout_keep_alive=settings.keep_alive_s,
        limit_concurrency=settings.max_connections,
        **options,
    )
