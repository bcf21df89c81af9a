"""A refused start told in one line: the ledger's reason, not a traceback of the lifespan."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class StartRefusal:
    """ASGI middleware: when the app's start fails with a LedgerError, the server logs its message alone.

    Starlette sends the failed start's traceback for the server to log; for a
    LedgerError (``app.state.startup_error``, a guard that refused the database,
    a key file that does not parse) the message says what is wrong and what to do.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass every scope on; rewrite a lifespan's ``startup.failed`` message."""
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_one_line(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                error = getattr(scope["app"].state, "startup_error", None)
                if error is not None:
                    message = {**message, "message": f"cunzheng: {error}"}
            await send(message)

        await self.app(scope, receive, send_one_line)
