"""Start-up guards: migrations under a lock, a database of another log's keys, and a rolled-back database.

Regressions of production issues: two ``cunzheng serve`` started at once on
an empty PostgreSQL database, one dying with ``UniqueViolation
pg_type_typname_nsp_index``; a second process with another log or operator
key failing with a traceback (or, for the log key, not failing at all); and
an SQLite file copied without its WAL serving 5,002 entries of 7,702.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.api.app import create_app
from cunzheng.ledger.checkpoint_file import LATEST_CHECKPOINT_FILE, read_latest
from cunzheng.ledger.keyfiles import (
    LOG_KEY_FILE,
    OPERATOR_KEY_FILE,
    log_signer,
    operator_signer,
)
from cunzheng.ledger.note import Checkpoint, sign_checkpoint
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.startup import StartRefused
from cunzheng.ledger.store import Store
from tests.conftest import log_through_app, run_cli


def _all_at_once(count: int, work: Callable[[], object]) -> list[BaseException]:
    """Run *work* in *count* threads released together; return what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run() -> None:
        start.wait()
        try:
            work()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


# Each process says it is ready, then opens the store when "go" appears: they migrate together.
_OPEN = """
import os, sys, time
from pathlib import Path
from cunzheng.ledger.store import Store
go = Path(sys.argv[2])
(go.parent / f"ready-{os.getpid()}").touch()
while not go.exists():
    time.sleep(0.001)
Store.open(sys.argv[1]).close()
"""


@pytest.mark.parametrize("trial", range(3))
def test_processes_opening_an_empty_database_at_once_all_migrate(
    database_url: str, tmp_path: Path, trial: int
) -> None:
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN, database_url, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(5)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < len(processes) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outputs = [p.communicate(timeout=60)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * 5, "\n".join(outputs)


def test_two_services_started_at_once_on_an_empty_database_both_start(
    database_url: str, tmp_path: Path
) -> None:
    # Two hosts: data directories of their own, holding the same log and operator keys.
    hosts = [_settings(tmp_path / name, database_url) for name in "ab"]
    log_signer(hosts[0].data_dir, hosts[0].origin)
    operator_signer(hosts[0].data_dir)
    hosts[1].data_dir.mkdir()
    for name in (LOG_KEY_FILE, OPERATOR_KEY_FILE):
        shutil.copy(hosts[0].data_dir / name, hosts[1].data_dir / name)
    turn = iter(hosts)

    def serve_once() -> None:
        with TestClient(create_app(next(turn))) as client:
            assert client.get("/log/info").status_code == 200

    assert _all_at_once(2, serve_once) == []
    store = Store.open(hosts[0].resolved_database_url())
    try:
        # One first checkpoint, one operator: the second start found both made.
        assert store.checkpoint_at(0) is not None and store.head().size == 1
    finally:
        store.close()


def _refused(settings: Settings) -> str:
    """Return why the service refuses to start on *settings*."""
    with pytest.raises(StartRefused) as refused, TestClient(create_app(settings)):
        pass
    return str(refused.value)


def _settings(data_dir: Path, database_url: str, **fields: object) -> Settings:
    return Settings(data_dir=data_dir, database_url=database_url, batch_wait_ms=1, **fields)


def test_another_log_key_on_the_database_is_refused_in_one_line(
    database_url: str, tmp_path: Path, holder: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _settings(tmp_path / "a", database_url)
    log_through_app(first, holder, 3)
    other = tmp_path / "b"
    other.mkdir()
    shutil.copy(first.data_dir / OPERATOR_KEY_FILE, other / OPERATOR_KEY_FILE)
    assert re.search("belongs to another log key", _refused(_settings(other, database_url)))
    monkeypatch.setenv("CUNZHENG_DATABASE_URL", database_url)
    refused = run_cli("serve", "--data-dir", str(other), "--port", "0", cwd=tmp_path)
    assert refused.returncode == 1
    assert "belongs to another log key" in refused.stderr
    assert str(other / LOG_KEY_FILE) in refused.stderr and "Traceback" not in refused.stderr


def test_another_operator_key_on_the_database_is_refused_in_one_line(
    database_url: str, tmp_path: Path, holder: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _settings(tmp_path / "a", database_url)
    log_through_app(first, holder, 3)
    other = tmp_path / "b"
    other.mkdir()
    shutil.copy(first.data_dir / LOG_KEY_FILE, other / LOG_KEY_FILE)
    assert re.search(
        "operator key .* is not registered in this log", _refused(_settings(other, database_url))
    )
    monkeypatch.setenv("CUNZHENG_DATABASE_URL", database_url)
    refused = run_cli("serve", "--data-dir", str(other), "--port", "0", cwd=tmp_path)
    assert refused.returncode == 1
    assert str(other / OPERATOR_KEY_FILE) in refused.stderr and "Traceback" not in refused.stderr


def test_the_newest_checkpoint_is_remembered_in_the_data_directory(
    database_url: str, tmp_path: Path, holder: SigningKey
) -> None:
    settings = _settings(tmp_path / "data", database_url)
    size = log_through_app(settings, holder, 20)
    signer = log_signer(settings.data_dir, settings.origin)
    remembered = read_latest(settings.data_dir, signer.verifier())
    assert remembered is not None and remembered.size == size
    # The normal restart path starts, and logs on.
    assert log_through_app(settings, holder, 5, first=20) == size + 5


def _sqlite(tmp_path: Path) -> tuple[Settings, Path]:
    settings = Settings(data_dir=tmp_path / "data", batch_wait_ms=1)
    return settings, settings.data_dir / "cunzheng.db"


def test_a_rolled_back_database_is_refused(tmp_path: Path, holder: SigningKey) -> None:
    settings, db = _sqlite(tmp_path)
    early = log_through_app(settings, holder, 50)
    assert not db.with_name("cunzheng.db-wal").exists()  # checkpointed when the service stopped
    shutil.copy(db, tmp_path / "early.db")
    late = log_through_app(settings, holder, 70, first=50)
    assert late == early + 70
    shutil.copy(tmp_path / "early.db", db)
    message = _refused(settings)
    assert f"tree of size {early}" in message and f"checkpoint of size {late}" in message
    assert "--accept-rollback" in message and "docs/operations.md" in message
    cli = run_cli("serve", "--data-dir", str(settings.data_dir), "--port", "0", cwd=tmp_path)
    assert cli.returncode == 1 and "the database is behind the log" in cli.stderr
    assert "Traceback" not in cli.stderr


def test_another_root_at_the_remembered_size_is_refused(tmp_path: Path, holder: SigningKey) -> None:
    settings, _ = _sqlite(tmp_path)
    size = log_through_app(settings, holder, 5)
    signer = log_signer(settings.data_dir, settings.origin)
    forked = sign_checkpoint(Checkpoint(settings.origin, size, b"\x01" * 32), signer)
    path = settings.data_dir / LATEST_CHECKPOINT_FILE
    path.write_text(forked)
    assert re.search(f"tree of size {size} has root", _refused(settings))
    # An older checkpoint the database holds with another root: refused too.
    forked = sign_checkpoint(Checkpoint(settings.origin, 1, b"\x01" * 32), signer)
    path.write_text(forked)
    assert re.search("checkpoint of size 1 has root", _refused(settings))


def test_accept_rollback_starts_loudly_and_sets_the_old_checkpoint_aside(
    tmp_path: Path, holder: SigningKey, caplog: pytest.LogCaptureFixture
) -> None:
    settings, db = _sqlite(tmp_path)
    log_through_app(settings, holder, 10)
    shutil.copy(db, tmp_path / "early.db")
    late = log_through_app(settings, holder, 10, first=10)
    shutil.copy(tmp_path / "early.db", db)
    accepting = settings.model_copy(update={"accept_rollback": True})
    with caplog.at_level(logging.CRITICAL), TestClient(create_app(accepting)) as client:
        assert client.get("/log/info").status_code == 200
    assert "ROLLED-BACK DATABASE" in caplog.text
    assert (settings.data_dir / f"{LATEST_CHECKPOINT_FILE}.rolled-back-from-{late}").exists()
    # From then on the database's own newest checkpoint is remembered: a plain restart starts.
    assert log_through_app(settings, holder, 0, first=10) < late
