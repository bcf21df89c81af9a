"""Signed reads of confidential particulars: each signed request is accepted once, near the server's time.

Regressions of the production issue: one court read's Authorization header
replayed ten times disclosed the text ten times and logged ten ``access.read``
entries in the court's name, and a header dated 4 min 50 s ahead was accepted.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.api.app import create_app
from cunzheng.ledger.access import SignedRequests, authorization
from cunzheng.ledger.errors import RequestOutsideWindow, RequestReplayed
from cunzheng.ledger.keyfiles import OPERATOR_KEY_FILE, read_key, submitter_key
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.store import Store
from tests.conftest import JSON, FixedClock, registration
from tests.ledger.registry_world import Actor, application, sign

RULES = "plates are hashed with a keyed hash"


def _world(
    client: TestClient, holder: SigningKey, data_dir: Path, clock: FixedClock
) -> tuple[Actor, str]:
    """Log an asset with a confidential particular, deposit its text, and return a court and the read path."""
    assert (
        client.post(
            "/v1/statements", content=registration(holder).canonical, headers=JSON
        ).status_code
        == 201
    )
    operator = Actor(
        "Operator", "operator", key=submitter_key(read_key(data_dir / OPERATOR_KEY_FILE))
    )
    owner = Actor("Test holder", "rights_holder", key=holder)
    owner.registration()
    exchange, court = Actor("Exchange", "exchange"), Actor("Court", "court")
    for statement in (exchange.registration(operator), court.registration(operator)):
        assert (
            client.post("/v1/statements", content=statement.canonical, headers=JSON).status_code
            == 201
        )
    salt = os.urandom(32)
    body = application(owner, exchange).to_json()["body"]
    body["confidential"] = {"processing_rules": hashlib.sha256(salt + RULES.encode()).hexdigest()}
    apply = sign(owner, "asset.apply", body, exchange)
    assert client.post("/v1/statements", content=apply.canonical, headers=JSON).status_code == 201
    path = f"/v1/assets/{apply.hash.hex()}/confidential"
    fields = {"processing_rules": {"salt": base64.b64encode(salt).decode(), "value": RULES}}
    payload = orjson.dumps({"fields": fields})
    header = authorization(holder, "PUT", path, payload, now=clock())
    r = client.put(path, content=payload, headers={"Authorization": header, **JSON})
    assert r.status_code == 200, r.text
    return court, path


def _app(database_url: str, tmp_path: Path, clock: FixedClock, **fields: object) -> TestClient:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, batch_wait_ms=1, **fields
    )
    return TestClient(create_app(settings, now=clock))


def _size(client: TestClient) -> int:
    size: int = client.get("/log/info").json()["size"]
    return size


def test_a_replayed_read_is_refused_and_logs_nothing(
    database_url: str, tmp_path: Path, holder: SigningKey, clock: FixedClock
) -> None:
    with _app(database_url, tmp_path, clock) as client:
        court, path = _world(client, holder, tmp_path / "data", clock)
        headers = {"Authorization": authorization(court.key, "GET", path, b"", now=clock())}
        assert client.get(path, headers=headers).status_code == 200
        size = _size(client)
        for _ in range(10):
            clock.advance(timedelta(seconds=1))
            r = client.get(path, headers=headers)
            assert r.status_code == 409, r.text
            assert r.json()["error"] == "request_replayed"
            assert "already used" in r.json()["detail"] and RULES not in r.text
        assert _size(client) == size
        # A new signature for the same read is a new request.
        headers = {"Authorization": authorization(court.key, "GET", path, b"", now=clock())}
        assert client.get(path, headers=headers).status_code == 200
        assert _size(client) == size + 1


@pytest.mark.parametrize(
    "offset", [timedelta(minutes=4, seconds=50), timedelta(seconds=61), -timedelta(seconds=61)]
)
def test_a_read_signed_too_far_from_the_servers_clock_is_refused(
    database_url: str, tmp_path: Path, holder: SigningKey, clock: FixedClock, offset: timedelta
) -> None:
    with _app(database_url, tmp_path, clock) as client:
        court, path = _world(client, holder, tmp_path / "data", clock)
        size = _size(client)
        header = authorization(court.key, "GET", path, b"", now=clock() + offset)
        r = client.get(path, headers={"Authorization": header})
        assert r.status_code == 401, r.text
        assert r.json()["error"] == "request_outside_window"
        assert "server's clock" in r.json()["detail"] and RULES not in r.text
        assert _size(client) == size


def test_a_read_signed_within_the_window_is_accepted(
    database_url: str, tmp_path: Path, holder: SigningKey, clock: FixedClock
) -> None:
    with _app(database_url, tmp_path, clock) as client:
        court, path = _world(client, holder, tmp_path / "data", clock)
        for offset in (timedelta(seconds=59), -timedelta(seconds=59)):
            header = authorization(court.key, "GET", path, b"", now=clock() + offset)
            assert client.get(path, headers={"Authorization": header}).status_code == 200


def test_the_window_is_a_setting(
    database_url: str, tmp_path: Path, holder: SigningKey, clock: FixedClock
) -> None:
    with _app(database_url, tmp_path, clock, signed_request_window_s=10) as client:
        court, path = _world(client, holder, tmp_path / "data", clock)
        header = authorization(court.key, "GET", path, b"", now=clock() + timedelta(seconds=11))
        r = client.get(path, headers={"Authorization": header})
        assert r.status_code == 401 and "within 10 s" in r.json()["detail"]


def test_a_used_request_is_remembered_until_it_could_no_longer_be_accepted(
    store: Store, clock: FixedClock
) -> None:
    door = SignedRequests(store, now=clock, window=timedelta(seconds=60))
    key = SigningKey.generate()
    header = authorization(key, "GET", "/v1/x", b"", now=clock())
    assert door.accept(header, "GET", "/v1/x", b"") == bytes(key.verify_key)
    clock.advance(timedelta(seconds=60))
    with pytest.raises(RequestReplayed):
        door.accept(header, "GET", "/v1/x", b"")
    clock.advance(timedelta(microseconds=1))
    with pytest.raises(RequestOutsideWindow):
        door.accept(header, "GET", "/v1/x", b"")


def test_expired_tokens_are_pruned(store: Store, clock: FixedClock) -> None:
    now = clock()
    assert store.claim_request(b"t" * 32, expires=now, now=now)
    assert not store.claim_request(b"t" * 32, expires=now, now=now)
    later = now + timedelta(microseconds=1)
    assert store.claim_request(b"t" * 32, expires=later, now=later)


def test_of_two_processes_claiming_one_request_exactly_one_wins(
    database_url: str, clock: FixedClock
) -> None:
    stores = [Store.open(database_url) for _ in range(4)]
    key = SigningKey.generate()
    header = authorization(key, "GET", "/v1/x", b"", now=clock())
    outcomes: list[str] = []
    start = threading.Barrier(len(stores))

    def claim(store: Store) -> None:
        door = SignedRequests(store, now=clock)
        start.wait()
        try:
            door.accept(header, "GET", "/v1/x", b"")
            outcomes.append("accepted")
        except RequestReplayed:
            outcomes.append("replayed")

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert sorted(outcomes) == ["accepted", "replayed", "replayed", "replayed"]
