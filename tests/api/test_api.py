"""The HTTP API: tlog-tiles reads, JSON conveniences, submission and its errors."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.ledger import merkle
from cunzheng.ledger.note import Verifier, open_checkpoint
from cunzheng.ledger.tiles import decode_entry_bundle
from cunzheng.ledger.verify import verify_receipt
from tests.conftest import evidence


def _vkey(client: TestClient) -> Verifier:
    return Verifier.from_string(client.get("/log/info").json()["verifier_key"])


def _submit(client: TestClient, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = client.post("/v1/statements/batch", content=orjson.dumps(statements))
    assert r.status_code == 200, r.text
    receipts: list[dict[str, Any]] = r.json()["receipts"]
    return receipts


def test_submission_returns_a_receipt_that_verifies(client: TestClient, holder: SigningKey) -> None:
    statement = evidence(holder, 1)
    r = client.post("/v1/statements", content=statement.canonical)
    assert r.status_code == 201, r.text
    verified = verify_receipt(
        r.content, log_key=_vkey(client), content_sha256=bytes.fromhex(f"{1:064x}")
    )
    assert verified.index == 2
    again = client.post("/v1/statements", content=statement.canonical)
    assert again.status_code == 200 and again.json()["index"] == 2


def test_batches_return_receipts_in_order(client: TestClient, holder: SigningKey) -> None:
    statements = [evidence(holder, i).to_json() for i in range(300)]
    receipts = _submit(client, statements)
    assert [r["statement"] for r in receipts] == statements
    vkey = _vkey(client)
    for receipt in receipts[::17]:
        verify_receipt(orjson.dumps(receipt), log_key=vkey)


def test_tiles_checkpoint_and_proofs(client: TestClient, holder: SigningKey) -> None:
    _submit(client, [evidence(holder, i).to_json() for i in range(258)])
    r = client.get("/log/checkpoint")
    assert r.headers["content-type"].startswith("text/plain")
    cp, _ = open_checkpoint(r.text, _vkey(client))
    assert cp.size == 260
    full = client.get("/log/tile/0/000")
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    partial = client.get("/log/tile/0/001.p/4")
    assert len(full.content) == 256 * 32 and len(partial.content) == 4 * 32
    leaves = decode_entry_bundle(client.get("/log/tile/entries/000").content)
    leaves += decode_entry_bundle(client.get("/log/tile/entries/001.p/4").content)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    assert b"".join(hashes[:256]) == full.content
    assert merkle.root_from_leaf_hashes(hashes) == cp.root

    proof = client.get("/log/proof/inclusion", params={"index": 100, "size": 260}).json()
    merkle.verify_inclusion(
        leaf_hash=hashes[100],
        index=100,
        size=260,
        proof=[base64.b64decode(p) for p in proof["proof"]],
        root=cp.root,
    )
    by_hash = client.get("/log/proof/inclusion", params={"leaf_hash": hashes[100].hex()}).json()
    assert by_hash["index"] == 100 and by_hash["proof"] == proof["proof"]
    cons = client.get("/log/proof/consistency", params={"old": 100, "size": 260}).json()
    old_root = merkle.root_from_leaf_hashes(hashes[:100])
    merkle.verify_consistency(
        old_size=100,
        new_size=260,
        old_root=old_root,
        new_root=cp.root,
        proof=[base64.b64decode(p) for p in cons["proof"]],
    )
    entry = client.get("/log/entries/5").json()
    assert entry["index"] == 5 and base64.b64decode(entry["leaf_hash"]) == hashes[5]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/log/tile/0/001", 404),  # not full yet
        ("/log/tile/0/000.p/7", 404),  # wider than the log
        ("/log/tile/0/00", 400),  # truncated path
        ("/log/tile/0/x000/000", 400),
        ("/log/tile/0/000.p/256", 400),
        ("/log/tile/99/000", 400),
        ("/log/tile/entries/000.p/0", 400),
        ("/log/entries/6", 404),
        ("/log/entries/-1", 404),
        ("/log/entries/abc", 400),
        ("/log/proof/inclusion?index=6&size=6", 404),
        ("/log/proof/inclusion?index=5&size=5", 409),
        ("/log/proof/inclusion?index=0&size=9", 409),
        ("/log/proof/inclusion?index=0&size=0", 400),
        ("/log/proof/inclusion", 400),
        ("/log/proof/inclusion?leaf_hash=zz", 400),
        ("/log/proof/inclusion?leaf_hash=" + "00" * 32, 404),
        ("/log/proof/consistency?old=5&size=3", 409),
        ("/log/proof/consistency?old=-1", 400),
    ],
)
def test_bad_reads_get_clear_4xx(
    client: TestClient, holder: SigningKey, path: str, status: int
) -> None:
    _submit(client, [evidence(holder, i).to_json() for i in range(4)])
    r = client.get(path)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] and body["detail"]


def _tampered_signature(obj: dict[str, Any]) -> dict[str, Any]:
    sig = bytearray(base64.b64decode(obj["signature"]))
    sig[0] ^= 1
    return {**obj, "signature": base64.b64encode(bytes(sig)).decode()}


@pytest.mark.parametrize(
    ("mutate", "status", "message"),
    [
        (_tampered_signature, 422, "signature does not verify"),
        (lambda o: {**o, "signature": "xx"}, 400, "signature is not valid base64"),
        (lambda o: {**o, "body": {"sha256": "zz"}}, 400, "64 lowercase hex"),
        (
            # 65,511 bytes: past the canonical limit (65,479), within the 64 KiB body limit.
            lambda o: {**o, "body": {**o["body"], "media_type": "x" * 65_180}},
            400,
            "bytes as canonical JSON",
        ),
        (lambda o: {**o, "type": "asset.bogus"}, 400, "is not known"),
        (lambda o: [o], 400, "must be a JSON object"),
    ],
)
def test_bad_statements_are_refused_and_nothing_is_logged(
    client: TestClient, holder: SigningKey, mutate: Any, status: int, message: str
) -> None:
    _submit(client, [evidence(holder, 0).to_json()])
    before = client.get("/log/checkpoint").text
    r = client.post("/v1/statements", content=orjson.dumps(mutate(evidence(holder, 1).to_json())))
    assert r.status_code == status, r.text
    assert message in r.json()["detail"]
    assert client.get("/log/checkpoint").text == before


def test_a_batch_with_one_bad_statement_is_refused_whole(
    client: TestClient, holder: SigningKey
) -> None:
    statements = [evidence(holder, i).to_json() for i in range(280)]
    statements[270] = _tampered_signature(statements[270])
    r = client.post("/v1/statements/batch", content=orjson.dumps(statements))
    assert r.status_code == 422 and r.json()["detail"].startswith("statement 270:")
    assert client.get("/log/info").json()["size"] == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not valid JSON"),
        (b"{}", "non-empty JSON array"),
        (b"[]", "non-empty JSON array"),
        (orjson.dumps([{}] * 301), "at most 300"),
    ],
)
def test_malformed_batches(client: TestClient, body: bytes, message: str) -> None:
    r = client.post("/v1/statements/batch", content=body)
    assert r.status_code == 400 and message in r.json()["detail"]


def test_oversized_bodies_are_refused(client: TestClient) -> None:
    r = client.post("/v1/statements", content=b"x" * (300 * 70_000 + 1))
    assert r.status_code == 413 and "exceeds" in r.json()["detail"]


def test_openapi_is_served(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/statements", "/v1/statements/batch", "/log/checkpoint", "/log/info"} <= set(paths)


def test_a_refused_statement_in_a_batch_is_named_and_the_rest_are_logged(
    client: TestClient, holder: SigningKey
) -> None:
    stranger = SigningKey.generate()
    statements = [
        evidence(holder, 1).to_json(),
        evidence(stranger, 2).to_json(),
        evidence(holder, 3).to_json(),
    ]
    r = client.post("/v1/statements/batch", content=orjson.dumps(statements))
    assert r.status_code == 422 and r.json()["error"] == "key.unknown"
    assert r.json()["detail"].startswith("statement 1: ") and "1 of 3 refused" in r.json()["detail"]
    again = client.post(
        "/v1/statements/batch", content=orjson.dumps([statements[0], statements[2]])
    )
    assert [receipt["index"] for receipt in again.json()["receipts"]] == [2, 3]
