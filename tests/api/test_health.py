"""The operator's view: /metrics counts what the sequencer did, /healthz and /readyz answer the probes."""

from __future__ import annotations

import math
import time
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from prometheus_client.parser import text_string_to_metric_families

from cunzheng.api.app import create_app
from cunzheng.ledger.settings import Settings
from tests.conftest import JSON, FixedClock, evidence, registration


def _scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Return every sample of /metrics by name and labels."""
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def test_metrics_count_batches_entries_and_refusals_by_reason(
    client: TestClient, holder: SigningKey, clock: FixedClock
) -> None:
    before = _scrape(client)
    for n in (1, 2):
        assert (
            client.post("/v1/statements", content=evidence(holder, n).canonical).status_code == 201
        )
    refused = client.post("/v1/statements", content=evidence(SigningKey.generate(), 3).canonical)
    assert refused.status_code == 422 and refused.json()["error"] == "key.unknown"
    clock.advance(timedelta(seconds=30))

    after = _scrape(client)

    def grew(name: str) -> float:
        return after[(name, ())] - before.get((name, ()), 0.0)

    assert after[("cunzheng_statements_refused_total", (("reason", "key.unknown"),))] == 1
    assert grew("cunzheng_statements_logged_total") == 2
    assert grew("cunzheng_log_size") == 2
    assert after[("cunzheng_log_size", ())] == after[("cunzheng_statements_logged_total", ())]
    # One request at a time: each statement was a batch of its own.
    assert grew("cunzheng_sequencer_batch_statements_count") == 3
    assert grew("cunzheng_sequencer_batch_statements_sum") == 3
    assert grew("cunzheng_sequencer_integration_seconds_count") == 3
    assert after[("cunzheng_sequencer_queue_depth", ())] == 0
    # The clock moved 30 s since the last batch signed its checkpoint.
    assert after[("cunzheng_checkpoint_age_seconds", ())] == 30


def test_checkpoint_age_is_the_logs_before_this_process_signs_a_checkpoint(
    database_url: str, tmp_path: Path, holder: SigningKey, clock: FixedClock
) -> None:
    """A service started on a log that an earlier process signed reports that checkpoint's age."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, batch_wait_ms=1)
    with TestClient(create_app(settings, now=clock)) as earlier:
        for statement in (registration(holder), evidence(holder, 1)):
            r = earlier.post("/v1/statements", content=statement.canonical, headers=JSON)
            assert r.status_code == 201
        size = _scrape(earlier)[("cunzheng_log_size", ())]
    clock.advance(timedelta(seconds=90))

    with TestClient(create_app(settings, now=clock)) as later:
        first = _scrape(later)
        clock.advance(timedelta(seconds=10))
        second = _scrape(later)

    # The later process committed no batch, so it signed no checkpoint of its own.
    assert first[("cunzheng_sequencer_batch_statements_count", ())] == 0
    assert second[("cunzheng_sequencer_batch_statements_count", ())] == 0
    assert math.isfinite(first[("cunzheng_checkpoint_age_seconds", ())])
    assert first[("cunzheng_checkpoint_age_seconds", ())] == 90
    assert second[("cunzheng_checkpoint_age_seconds", ())] == 100
    # The size is the log's from the start, not 0 until this process commits.
    assert first[("cunzheng_log_size", ())] == size >= 3


def test_healthz_is_ok_while_the_process_answers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    client.app.state.sequencer.stop()  # type: ignore[attr-defined]
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_is_503_once_the_sequencer_has_stopped(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}

    client.app.state.sequencer.stop()  # type: ignore[attr-defined]

    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["error"] == "unavailable"
    assert "sequencer is not running" in r.json()["detail"]


def test_readyz_is_503_while_the_hash_tiles_are_loaded(client: TestClient) -> None:
    reader = client.app.state.reader  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.01)  # the log's few tiles load in a background thread at start
    done, total = reader.warmed
    assert done == total and client.get("/readyz").status_code == 200
    reader._tree.warmed = (512, 3_940)  # as while loading the tiles of a log of 10^6 entries
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["detail"] == "the hash tiles are being loaded into memory: 512 of 3,940"


def test_each_app_has_a_registry_of_its_own(client: TestClient) -> None:
    """Metrics never go to the process-wide default registry, where a second app would collide."""
    from prometheus_client import REGISTRY

    assert client.app.state.sequencer.metrics.registry is not REGISTRY  # type: ignore[attr-defined]
    assert not any(
        name.startswith("cunzheng_")
        for family in REGISTRY.collect()
        for name in (family.name, *(s.name for s in family.samples))
    )
