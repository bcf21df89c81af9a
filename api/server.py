"""How the app is served: uvicorn with deadlines for idle and slow connections, and a connection limit.

uvicorn closes an idle keep-alive connection, but not one that is still sending
its headers, nor one that connects and says nothing: a client can hold either
forever. The protocol here gives a request's headers a deadline, from the moment
the connection opens or the first byte of the request arrives. The body's
deadline is the app's (``api.limits.BodyLimits``), which can answer with a 408.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from cunzheng.ledger.settings import Settings

__all__ = ["HeaderDeadlineProtocol", "server_config"]


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request headers are not in after *header_timeout* s."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection and start the clock for its first request's headers."""
        self._headers_due: asyncio.TimerHandle | None = None
        # Requests whose headers are in and whose response is not complete.
        self._in_progress = 0
        super().connection_made(transport)
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
