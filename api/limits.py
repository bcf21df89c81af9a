"""Limits on request bodies: how large each route's may be, and how long it may take to arrive.

A body is refused while it is read, before any of it is parsed: at once when its
declared ``Content-Length`` is beyond the route's limit, otherwise as soon as
the bytes received pass it. A body that has not fully arrived within the
timeout is refused with a 408, so a slow client cannot hold a request open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cunzheng.api.errors import Refusal

# One statement, as submitted: its canonical form is at most 65,479 bytes (docs/api.md),
# and a client may add insignificant whitespace.
STATEMENT_BYTES = 64 * 1024
# A receipt is a statement with its proof, checkpoint and time-stamp tokens.
RECEIPT_BYTES = STATEMENT_BYTES + 16 * 1024


class BodyLimits:
    """ASGI middleware: 413 for a body beyond its route's limit, 408 for one that arrives too slowly.

    *route_bytes* maps a request path to its limit; any other path may carry
    *default_bytes*. A body must arrive in full within *timeout_s* seconds of
    the request's headers.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_bytes: int,
        route_bytes: Mapping[str, int],
        timeout_s: float,
    ) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.route_bytes = dict(route_bytes)
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.route_bytes.get(scope["path"], self.default_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit).response()(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        seen, complete, started = 0, False, False
        # One timer for the whole body, armed at the first read: an asyncio.timeout around
        # each read cost a small request more than the rest of this middleware.
        task = asyncio.current_task()
        timer: asyncio.TimerHandle | None = None
        waiting = expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            if waiting and task is not None:
                task.cancel()

        def too_slow() -> Refusal:
            return Refusal(
                408,
                "request_timeout",
                f"the request body did not arrive within {self.timeout_s:g} seconds",
                close=True,
            )

        async def limited() -> Message:
            nonlocal seen, complete, timer, waiting
            if complete:  # after the body: waiting for a disconnect is not bounded
                return await receive()
            if expired:
                raise too_slow()
            if timer is None:
                timer = loop.call_at(deadline, expire)
            waiting = True
            try:
                message = await receive()
            except asyncio.CancelledError:
                if expired and task is not None and task.uncancel() == 0:
                    raise too_slow() from None
                raise
            finally:
                waiting = False
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    timer.cancel()
                    raise _too_large(limit)
                complete = not message.get("more_body", False)
            else:
                complete = True
            if complete:
                timer.cancel()
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except Refusal as refusal:
            # The app's error handlers answer a refusal raised inside a route; this
            # catches one raised where they do not reach.
            if started:
                raise
            await refusal.response()(scope, receive, send)
        finally:
            if timer is not None:
                timer.cancel()


def _too_large(limit: int) -> Refusal:
    return Refusal(
        413, "body_too_large", f"request body exceeds {limit} bytes, this route's limit", close=True
    )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            # More than 18 digits is beyond any limit; int() of a long string is costly.
            return int(value) if len(value) <= 18 else 1 << 63
    return None
