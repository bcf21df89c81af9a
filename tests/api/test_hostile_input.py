"""Hostile input: oversized, slow and malformed requests are refused early and leave the log unchanged.

Each test pins one defect of the production issue: bodies parsed whatever their
size, integers beyond 64 bits answered with a 500, duplicate JSON keys taken
last-wins, any Content-Type accepted, and idle or slow connections held forever.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.api.limits import STATEMENT_BYTES
from cunzheng.ledger.access import authorization
from tests.conftest import (
    JSON,
    FixedClock,
    LiveServer,
    evidence,
    serve_in_thread,
    server_settings,
    stop_server,
)

TOO_BIG = 1 << 63


def _size(client: TestClient) -> int:
    size: int = client.get("/log/info").json()["size"]
    return size


def _refused(r: httpx.Response, status: int, error: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert set(body) == {"error", "detail"} and body["detail"]
    if error is not None:
        assert body["error"] == error
    return body


# 1. Body limits per route, enforced while the body is read.


def test_batch_of_numbers_beyond_the_route_limit_is_413(client: TestClient) -> None:
    # The fixture's batches hold at most 300 statements: 300 x 64 KiB.
    size = _size(client)
    limit = 300 * STATEMENT_BYTES
    body = b"[" + b"1," * (limit // 2) + b"1]"
    r = client.post("/v1/statements/batch", content=body, headers=JSON)
    detail = _refused(r, 413, "body_too_large")["detail"]
    assert str(limit) in detail and r.headers["connection"] == "close"
    assert _size(client) == size


def test_statement_beyond_64_kib_is_413(client: TestClient, holder: SigningKey) -> None:
    size = _size(client)
    padded = evidence(holder, 1).canonical + b" " * STATEMENT_BYTES
    _refused(client.post("/v1/statements", content=padded, headers=JSON), 413, "body_too_large")
    assert _size(client) == size


# 2. Integers beyond 64 bits in paths, queries and bodies.


@pytest.mark.parametrize(
    "path",
    [
        f"/log/entries/{TOO_BIG}",
        "/log/entries/99999999999999999999999999",
        "/log/proof/inclusion?index=99999999999999999999",
        f"/log/proof/inclusion?index=0&size={TOO_BIG}",
        f"/log/proof/consistency?old={TOO_BIG}",
        f"/log/proof/consistency?old=1&size={TOO_BIG}",
        f"/log/checkpoint/evidence?size={TOO_BIG}",
        "/log/tile/0/x999/x999/x999/x999/x999/x999/x999/999",
        "/log/tile/entries/x009/x223/x372/x036/x854/x775/808",
        "/log/tile/3/x001/000",
        "/log/tile/0/" + "x999/" * 2000 + "999",
    ],
    ids=lambda p: (
        p.split("?")[0].rsplit("/", 1)[0][:30] + ("?" + p.split("?")[1] if "?" in p else "")
    ),
)
def test_integers_beyond_63_bits_are_4xx(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 404), r.text
    assert set(r.json()) == {"error", "detail"}


@pytest.mark.parametrize("index", [TOO_BIG, 2**70], ids=["2^63", "2^70"])
def test_bundle_indexes_beyond_63_bits_are_400(client: TestClient, index: int) -> None:
    # orjson refuses integers beyond 64 bits: write the body by hand.
    body = f'{{"indexes": [{index}]}}'.encode()
    _refused(client.post("/v1/bundles", content=body, headers=JSON), 400, "malformed_input")


# 3. I-JSON: duplicate keys refused everywhere a JSON body is parsed; JSON only.


def _duplicate_type(statement: bytes) -> bytes:
    # The same value twice: a last-wins parser accepts it and the signature still checks.
    return b'{"type":"evidence.timestamp",' + statement[1:]


def _duplicate_digest(statement: bytes, digest: str) -> bytes:
    return statement.replace(b'"body":{', b'"body":{"sha256":"' + digest.encode() + b'",', 1)


def test_statement_with_a_duplicate_key_is_400(client: TestClient, holder: SigningKey) -> None:
    size = _size(client)
    statement = evidence(holder, 1).canonical
    detail = _refused(
        client.post("/v1/statements", content=_duplicate_type(statement), headers=JSON), 400
    )["detail"]
    assert "duplicate" in detail and "'type'" in detail
    nested = _duplicate_digest(statement, "ab" * 32)
    detail = _refused(client.post("/v1/statements", content=nested, headers=JSON), 400)["detail"]
    assert "duplicate" in detail and "'sha256'" in detail
    assert _size(client) == size


def test_batch_with_a_duplicate_key_is_400(client: TestClient, holder: SigningKey) -> None:
    size = _size(client)
    body = (
        b"["
        + evidence(holder, 1).canonical
        + b","
        + _duplicate_type(evidence(holder, 2).canonical)
        + b"]"
    )
    detail = _refused(client.post("/v1/statements/batch", content=body, headers=JSON), 400)[
        "detail"
    ]
    assert "duplicate" in detail and "'type'" in detail
    assert _size(client) == size


def test_bundle_request_with_a_duplicate_key_is_400(client: TestClient) -> None:
    body = b'{"indexes": [0], "indexes": [1]}'
    detail = _refused(client.post("/v1/bundles", content=body, headers=JSON), 400)["detail"]
    assert "duplicate" in detail and "'indexes'" in detail


def test_confidential_deposit_with_a_duplicate_key_is_400(
    client: TestClient, holder: SigningKey, clock: FixedClock
) -> None:
    path = f"/v1/assets/{'00' * 32}/confidential"
    body = b'{"fields": {}, "fields": {"x": {"salt": "", "value": ""}}}'
    header = authorization(holder, "PUT", path, body, now=clock())
    r = client.put(path, content=body, headers={"Authorization": header, **JSON})
    detail = _refused(r, 400)["detail"]
    assert "duplicate" in detail and "'fields'" in detail


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/v1/statements", "text/plain"),
        ("/v1/statements", "application/x-www-form-urlencoded"),
        ("/v1/statements/batch", "text/plain"),
        ("/v1/bundles", "text/plain"),
    ],
)
def test_json_routes_refuse_other_content_types(
    client: TestClient, holder: SigningKey, path: str, content_type: str
) -> None:
    size = _size(client)
    statement = evidence(holder, 1).canonical
    body = b"[" + statement + b"]" if path.endswith("batch") else statement
    if path == "/v1/bundles":
        body = b'{"indexes": [0]}'
    r = client.post(path, content=body, headers={"Content-Type": content_type})
    assert "application/json" in _refused(r, 415, "unsupported_media_type")["detail"]
    assert _size(client) == size


def test_json_with_a_charset_is_accepted(client: TestClient, holder: SigningKey) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    r = client.post("/v1/statements", content=evidence(holder, 1).canonical, headers=headers)
    assert r.status_code == 201, r.text


# 4. Idle and slow connections are closed (a real server, raw sockets).


@pytest.fixture
def impatient_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A log served with short deadlines for headers, bodies and idle keep-alive connections."""
    settings = server_settings(
        tmp_path / "data",
        database_url,
        header_timeout_s=0.5,
        body_timeout_s=0.5,
        keep_alive_s=1,
    )
    server = serve_in_thread(settings)
    yield server
    stop_server(server)


def _connect(server: LiveServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    return sock


def _read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Return what the server sent before closing the connection, and how long that took."""
    start, got = time.monotonic(), b""
    while chunk := sock.recv(65536):
        got += chunk
    return got, time.monotonic() - start


def test_partial_headers_are_closed_within_the_timeout(impatient_server: LiveServer) -> None:
    with _connect(impatient_server) as sock:
        sock.sendall(b"GET /log/checkpoint HTTP/1.1\r\nHost: x\r\n")
        _, waited = _read_until_closed(sock)
    assert waited < 3


def test_silent_connection_is_closed_within_the_timeout(impatient_server: LiveServer) -> None:
    with _connect(impatient_server) as sock:
        _, waited = _read_until_closed(sock)
    assert waited < 3


def test_partial_body_gets_408(impatient_server: LiveServer) -> None:
    with _connect(impatient_server) as sock:
        sock.sendall(
            b"POST /v1/statements HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"type":'
        )
        answer, waited = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b'"error":"request_timeout"' in answer
    assert waited < 3


def test_idle_keep_alive_connection_is_closed(impatient_server: LiveServer) -> None:
    with _connect(impatient_server) as sock:
        sock.sendall(b"GET /log/checkpoint HTTP/1.1\r\nHost: x\r\n\r\n")
        answer, waited = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert waited < 4


def test_streamed_body_is_refused_once_past_the_limit(impatient_server: LiveServer) -> None:
    # Chunked, so no Content-Length to judge by: 80 KiB sent, the body left unfinished.
    chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
    with _connect(impatient_server) as sock:
        sock.sendall(
            b"POST /v1/statements HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + chunk * 5
        )
        answer, _ = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    assert b'"error":"body_too_large"' in answer


def test_missing_content_type_is_415(impatient_server: LiveServer) -> None:
    r = httpx.post(impatient_server.url + "/v1/statements", content=b"{}")
    assert "content-type" not in r.request.headers
    _refused(r, 415, "unsupported_media_type")
