"""Search by digest through the API and the command line."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.ledger.note import Verifier
from cunzheng.ledger.verify import verify_receipt
from tests.conftest import LiveServer, evidence, registration, run_cli


def test_search_lists_every_statement_with_its_receipt(
    client: TestClient, holder: SigningKey
) -> None:
    other = SigningKey.generate()
    assert client.post("/v1/statements", content=registration(other).canonical).status_code == 201
    for key in (holder, other):
        assert client.post("/v1/statements", content=evidence(key, 42).canonical).status_code == 201
    client.post("/v1/statements", content=evidence(holder, 43).canonical)
    answer = client.get("/v1/evidence", params={"sha256": f"{42:064x}"}).json()
    assert [r["index"] for r in answer["receipts"]] == [3, 4]
    vkey = Verifier.from_string(client.get("/log/info").json()["verifier_key"])
    for receipt in answer["receipts"]:
        verified = verify_receipt(
            orjson.dumps(receipt), log_key=vkey, content_sha256=bytes.fromhex(f"{42:064x}")
        )
        assert verified.checkpoint.size == 6
    assert client.get("/v1/evidence", params={"sha256": "00" * 32}).json()["receipts"] == []


@pytest.mark.parametrize("value", ["xyz", "00" * 31, "0" * 65])
def test_search_refuses_malformed_digests(client: TestClient, value: str) -> None:
    r = client.get("/v1/evidence", params={"sha256": value})
    assert r.status_code == 400 and "64 lowercase hex" in r.json()["detail"]


def test_search_from_the_command_line(live_server: LiveServer, tmp_path: Path) -> None:
    run = run_cli

    key = tmp_path / "k.key"
    assert run("keygen", "--out", str(key)).returncode == 0
    assert (
        run(
            "register",
            "--server",
            live_server.url,
            "--key",
            str(key),
            "--kind",
            "rights_holder",
            "--name",
            "Bob",
        ).returncode
        == 0
    )
    f = tmp_path / "doc.txt"
    f.write_text("a document")
    assert run("stamp", str(f), "--server", live_server.url, "--key", str(key)).returncode == 0
    found = run("search", str(f), "--server", live_server.url, "--out-dir", str(tmp_path / "found"))
    assert found.returncode == 0, found.stderr
    assert "evidence.timestamp" in found.stdout and len(list((tmp_path / "found").iterdir())) == 1
    missing = tmp_path / "other.txt"
    missing.write_text("never stamped")
    none = run("search", str(missing), "--server", live_server.url)
    assert none.returncode == 1 and "no statement in the log references" in none.stderr
