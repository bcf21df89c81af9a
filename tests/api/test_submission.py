"""``POST /v1/statements`` is answered before routing (api.submission); the route answers alike."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.api import submission
from cunzheng.api.app import create_app
from cunzheng.ledger.receipts import parse_receipt, receipt_json
from cunzheng.ledger.sequencer import Sequencer
from cunzheng.ledger.settings import Settings
from tests.conftest import JSON, FixedClock, evidence, registration


def _receipt_file_form(body: bytes) -> None:
    # The bytes a submitter is given are those it would write to a receipt file.
    assert body == receipt_json(parse_receipt(body))


def test_receipt_is_the_receipt_file_form(client: TestClient, holder: SigningKey) -> None:
    r = client.post("/v1/statements", content=evidence(holder, 7).canonical)
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    assert int(r.headers["content-length"]) == len(r.content)
    _receipt_file_form(r.content)


def test_other_methods_on_the_path_are_routed(client: TestClient) -> None:
    r = client.get("/v1/statements")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert r.json()["error"] == "http_error"


def test_the_route_answers_as_the_middleware_does(
    database_url: str, tmp_path: Path, holder: SigningKey, clock: FixedClock
) -> None:
    # Under a root path the middleware steps aside and FastAPI's route takes the request.
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, batch_wait_ms=1)
    with TestClient(create_app(settings, now=clock), root_path="/under") as c:
        joined = c.post("/v1/statements", content=registration(holder).canonical, headers=JSON)
        assert joined.status_code == 201, joined.text
        statement = evidence(holder, 1).canonical
        first = c.post("/v1/statements", content=statement, headers=JSON)
        assert first.status_code == 201, first.text
        _receipt_file_form(first.content)
        again = c.post("/v1/statements", content=statement, headers=JSON)
        assert again.status_code == 200 and again.content == first.content
        refused = c.post("/v1/statements", content=b"{}", headers={"Content-Type": "text/plain"})
        assert refused.status_code == 415
        assert refused.json()["error"] == "unsupported_media_type"
        bad = c.post("/v1/statements", content=b'{"type": 1, "type": 2}', headers=JSON)
        assert bad.status_code == 400 and "duplicate" in bad.json()["detail"]


def test_a_commit_that_takes_too_long_is_503(
    client: TestClient, holder: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(submission, "COMMIT_TIMEOUT", 0.0)
    monkeypatch.setattr(Sequencer, "add_all", lambda self, statements: Future())
    r = client.post("/v1/statements", content=evidence(holder, 9).canonical)
    assert r.status_code == 503, r.text
    assert "resubmit" in r.json()["detail"]
