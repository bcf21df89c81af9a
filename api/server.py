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

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from cunzheng.ledger.settings import Settings

__all__ = ["HeaderDeadlineProtocol", "server_config"]


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request headers are not in after *header_timeout* s."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection and start the clock for its first request's headers."""
        self._headers_due: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Feed *data* to h11; the clock runs while a request's headers are incomplete."""
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            # Waiting for a request: a partial one has not told us its headers yet.
            if self._headers_due is None and not self.transport.is_closing():
                self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock and let uvicorn clean up."""
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        """Hand over to uvicorn's keep-alive timer until the next request's first byte."""
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
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
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
        http=protocol,
        timeout_keep_alive=settings.keep_alive_s,
        limit_concurrency=settings.max_connections,
        **options,
    )
