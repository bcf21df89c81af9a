"""Confidential particulars: only commitments in the log; text shown to the holder and courts, each read logged."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import orjson
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.ledger.access import authorization
from cunzheng.ledger.keyfiles import OPERATOR_KEY_FILE, read_key, submitter_key
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.verify import verify_receipt
from tests.ledger.registry_world import Actor, application, sign

RULES = "records are deduplicated by licence plate and hour; plates are hashed with a keyed hash"


def _signed(
    client: TestClient, method: str, path: str, actor: Actor, body: bytes = b""
) -> dict[str, object]:
    # Signed on the app's clock: a request is accepted within a minute of it.
    header = authorization(actor.key, method, path, body, now=client.app.state.now())
    r = client.request(method, path, content=body, headers={"Authorization": header})
    out: dict[str, object] = {"status": r.status_code, **r.json()}
    return out


def test_confidential_particulars(client: TestClient, holder: SigningKey, tmp_path: Path) -> None:
    operator = Actor(
        "Operator", "operator", key=submitter_key(read_key(tmp_path / "data" / OPERATOR_KEY_FILE))
    )
    owner = Actor("Test holder", "rights_holder", key=holder)
    owner.registration()
    exchange, court, stranger = (
        Actor("Exchange", "exchange"),
        Actor("Court", "court"),
        Actor("S", "rights_holder"),
    )
    for statement in (
        exchange.registration(operator),
        court.registration(operator),
        stranger.registration(),
    ):
        assert client.post("/v1/statements", content=statement.canonical).status_code == 201

    salt = os.urandom(32)
    body = application(owner, exchange).to_json()["body"]
    body["confidential"] = {"processing_rules": hashlib.sha256(salt + RULES.encode()).hexdigest()}
    apply = sign(owner, "asset.apply", body, exchange)
    assert client.post("/v1/statements", content=apply.canonical).status_code == 201
    assert RULES.encode() not in client.get("/log/tile/entries/000.p/6").content
    path = f"/v1/assets/{apply.hash.hex()}/confidential"

    def deposit(actor: Actor, salt_: bytes) -> dict[str, object]:
        payload = {
            "fields": {
                "processing_rules": {"salt": base64.b64encode(salt_).decode(), "value": RULES}
            }
        }
        return _signed(client, "PUT", path, actor, orjson.dumps(payload))

    assert deposit(owner, os.urandom(32))["error"] == "invalid_proof"
    assert deposit(stranger, salt)["error"] == "access.not_holder"
    unsigned = client.put(path, content=b"{}")
    assert unsigned.status_code == 401 and "signed request" in unsigned.json()["detail"]
    assert unsigned.json()["error"] == "signature_required"
    assert unsigned.headers["WWW-Authenticate"] == "Cunzheng"
    other_scheme = client.put(path, content=b"{}", headers={"Authorization": "Bearer x"})
    assert other_scheme.status_code == 401 and "another scheme" in other_scheme.json()["detail"]
    assert deposit(owner, salt)["status"] == 200

    size = client.get("/log/info").json()["size"]
    assert _signed(client, "GET", path, stranger)["error"] == "access.denied"
    assert client.get("/log/info").json()["size"] == size

    shown = _signed(client, "GET", path, court)
    assert shown["status"] == 200
    fields = shown["fields"]
    assert isinstance(fields, dict) and fields["processing_rules"]["value"] == RULES
    receipt = orjson.dumps(shown["access_receipt"])
    vkey = Verifier.from_string(client.get("/log/info").json()["verifier_key"])
    logged = verify_receipt(receipt, log_key=vkey)
    assert logged.statement.type == "access.read" and logged.statement.body["reader"] == court.hex

    # The same request again, on a clock that has not moved: the same signature, refused.
    replayed = _signed(client, "GET", path, court)
    assert replayed["status"] == 409 and replayed["error"] == "request_replayed"
    # A signature is bound to its request: signed for one asset, refused for another.
    header = authorization(court.key, "GET", path, b"", now=client.app.state.now())
    elsewhere = client.get(
        path.replace(apply.hash.hex(), "00" * 32), headers={"Authorization": header}
    )
    assert elsewhere.status_code == 422 and elsewhere.json()["error"] == "invalid_signature"
