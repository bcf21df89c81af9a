"""Talking to a log over HTTP: one request, and a readable error when it fails."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from cunzheng.ledger.errors import LedgerError


def post_json(client: httpx.Client, url: str, payload: Any) -> Any:
    """Return the JSON answer to POSTing *payload*, or raise LedgerError with the log's reason."""
    return _answer(
        client,
        "POST",
        url,
        content=orjson.dumps(payload),
        headers={"Content-Type": "application/json"},
    )


def get_json(client: httpx.Client, url: str, **params: Any) -> Any:
    """Return the JSON answer to GET *url*, or raise LedgerError with the log's reason."""
    return _answer(client, "GET", url, params=params)


def get_text(client: httpx.Client, url: str) -> str:
    """Return the text answer to GET *url*, or raise LedgerError with the log's reason."""
    response = _send(client, "GET", url)
    return response.text


def _answer(client: httpx.Client, method: str, url: str, **kwargs: Any) -> Any:
    return _send(client, method, url, **kwargs).json()


def _send(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as e:
        raise LedgerError(f"cannot reach the log at {client.base_url}: {e}") from None
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise LedgerError(f"the log refused the request ({response.status_code}): {detail}")
    return response
