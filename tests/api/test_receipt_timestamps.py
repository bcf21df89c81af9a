"""Receipts fetched after their checkpoint was time-stamped carry the RFC 3161 tokens over it."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.ledger.errors import InvalidProof, InvalidSignature
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.tsa.certs import local_identity
from cunzheng.ledger.verify import verify_receipt
from tests.conftest import evidence


def _receipt_with_tokens(client: TestClient, n: int) -> bytes:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        (receipt,) = client.get("/v1/evidence", params={"sha256": f"{n:064x}"}).json()["receipts"]
        if receipt["timestamps"]:
            return orjson.dumps(receipt)
        time.sleep(0.1)
    raise AssertionError("the checkpoint was not time-stamped")


def test_search_returns_receipts_with_checked_tokens(
    client: TestClient, holder: SigningKey, tmp_path: Path
) -> None:
    first = client.post("/v1/statements", content=evidence(holder, 1).canonical).json()
    assert first["timestamps"] == []  # a fresh receipt: its checkpoint is time-stamped just after
    vkey = Verifier.from_string(client.get("/log/info").json()["verifier_key"])
    ca = (tmp_path / "data" / "tsa" / "ca.pem").read_bytes()
    receipt = _receipt_with_tokens(client, 1)
    verified = verify_receipt(receipt, log_key=vkey, tsa_roots=[ca])
    assert len(verified.timestamps) == 1 and verified.timestamps[0].gen_time >= verified.logged_at
    assert verify_receipt(receipt, log_key=vkey).timestamps == ()

    other_ca = (
        local_identity(tmp_path / "elsewhere").chain_pem().split(b"-----END CERTIFICATE-----")[1]
        + b"-----END CERTIFICATE-----\n"
    ).lstrip()
    with pytest.raises(InvalidSignature, match="trusted root"):
        verify_receipt(receipt, log_key=vkey, tsa_roots=[other_ca])

    client.post("/v1/statements", content=evidence(holder, 2).canonical)
    later = orjson.loads(_receipt_with_tokens(client, 2))
    swapped = {**orjson.loads(receipt), "timestamps": later["timestamps"]}
    assert later["checkpoint"] != orjson.loads(receipt)["checkpoint"]
    with pytest.raises(InvalidProof, match="another digest"):
        verify_receipt(orjson.dumps(swapped), log_key=vkey, tsa_roots=[ca])
