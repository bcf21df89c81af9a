"""POST /v1/bundles: a bundle that verifies offline, and clear 4xx errors."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.ledger.note import Verifier
from cunzheng.ledger.verify import verify_bundle
from tests.conftest import evidence


def _vkey(client: TestClient) -> Verifier:
    return Verifier.from_string(client.get("/log/info").json()["verifier_key"])


def _receipts(client: TestClient, holder: SigningKey, numbers: range) -> list[dict[str, Any]]:
    statements = [evidence(holder, n).to_json() for n in numbers]
    r = client.post("/v1/statements/batch", content=orjson.dumps(statements))
    assert r.status_code == 200, r.text
    receipts: list[dict[str, Any]] = r.json()["receipts"]
    return receipts


def test_a_bundle_for_receipts_verifies_offline(client: TestClient, holder: SigningKey) -> None:
    receipts = _receipts(client, holder, range(3))
    _receipts(client, holder, range(3, 6))
    r = client.post(
        "/v1/bundles", json={"receipts": receipts[:2], "indexes": [receipts[2]["index"]]}
    )
    assert r.status_code == 200, r.text
    bundle = r.json()
    assert bundle["format"] == "cunzheng.bundle/v1"
    assert [(e["index"], e["role"]) for e in bundle["entries"]] == [
        (1, "party"),
        (2, "evidence"),
        (3, "evidence"),
        (4, "evidence"),
    ]
    assert len(bundle["earlier_checkpoints"]) == 1
    report = verify_bundle(r.content, log_key=_vkey(client))
    assert report.ok, [(c.subject, c.reason, c.detail) for c in report.failed()]


def test_bundles_are_public_in_the_openapi_document(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/bundles"]["post"]
    assert "security" not in operation
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Bundle"
    )


@pytest.mark.parametrize(
    ("body", "status", "error", "words"),
    [
        ({"indexes": [999]}, 404, "not_found", "no entry 999"),
        ({"indexes": [-1]}, 400, "malformed_input", "indexes.0"),
        ({}, 400, "malformed_input", "at least one"),
        ({"indexes": "1"}, 400, "malformed_input", "indexes"),
        ({"leaf_hashes": ["AAAA"]}, 400, "malformed_input", "leaf_hashes.0"),
        ({"receipts": [{"format": "x"}]}, 400, "malformed_input", "receipts.0"),
        ({"index": [1]}, 400, "malformed_input", "index"),
    ],
    ids=["unknown-index", "negative", "empty", "not-a-list", "bad-hash", "bad-receipt", "typo"],
)
def test_bad_requests_get_clear_errors(
    client: TestClient, body: dict[str, Any], status: int, error: str, words: str
) -> None:
    r = client.post("/v1/bundles", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error and words in r.json()["detail"]


def test_a_receipt_the_log_does_not_hold_is_not_found(
    client: TestClient, holder: SigningKey
) -> None:
    (receipt,) = _receipts(client, holder, range(1))
    receipt["logged_at"] = "2020-01-01T00:00:00.000000Z"
    r = client.post("/v1/bundles", json={"receipts": [receipt]})
    assert r.status_code == 404 and "receipt 0" in r.json()["detail"]


def test_not_json_is_malformed(client: TestClient) -> None:
    r = client.post("/v1/bundles", content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "malformed_input"
