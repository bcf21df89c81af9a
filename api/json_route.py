"""The route class of endpoints that take JSON: ``application/json`` only, parsed as I-JSON off the event loop.

A router built with ``route_class=JsonRoute`` refuses a POST, PUT or PATCH
whose Content-Type is not JSON with a 415, before any dependency reads the body.
Its ``request.json()`` (and so FastAPI's parsing of a model body) refuses
duplicate keys (RFC 7493) and runs in a worker thread: a large body never
stalls the event loop that serves every other request.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from cunzheng.api.errors import Refusal
from cunzheng.ledger.canonical import loads
from cunzheng.ledger.errors import MalformedInput

__all__ = [
    "JSON_MEDIA_TYPE",
    "JsonRequest",
    "JsonRoute",
    "media_type_refusal",
    "parse_json",
    "require_json",
]

JSON_MEDIA_TYPE = "application/json"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def parse_json(body: bytes, *, what: str = "request body") -> Any:
    """Return the I-JSON value of *body*, or raise a 400 refusal that says what is wrong."""
    try:
        return loads(body, what=what)
    except MalformedInput as e:
        raise Refusal(400, "malformed_input", e.message) from None


class JsonRequest(Request):
    """A request whose ``json()`` is strict (no duplicate keys) and parsed in a worker thread."""

    async def json(self) -> Any:
        """Return the body's JSON value, parsed once."""
        if not hasattr(self, "_json"):
            self._json = await run_in_threadpool(parse_json, await self.body())
        return self._json


class JsonRoute(APIRoute):
    """A route whose request bodies must be ``application/json`` and are parsed by JsonRequest."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Return FastAPI's handler behind a check of the media type."""
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            if request.method in _BODY_METHODS:
                require_json(request)
            return await handler(JsonRequest(request.scope, request.receive))

        return strict


def require_json(request: Request) -> None:
    """Refuse *request* with a 415 unless its Content-Type is ``application/json``."""
    refusal = media_type_refusal(request.headers.get("content-type"))
    if refusal is not None:
        raise refusal


def media_type_refusal(given: str | None) -> Refusal | None:
    """Return the 415 refusal of a body sent with Content-Type *given*, or None if that is JSON."""
    if given is not None and given.split(";")[0].strip().lower() == JSON_MEDIA_TYPE:
        return None
    shown = "no Content-Type" if given is None else f"Content-Type {given!r}"
    return Refusal(
        415,
        "unsupported_media_type",
        f"send the body as JSON with Content-Type: {JSON_MEDIA_TYPE} (got {shown})",
    )
