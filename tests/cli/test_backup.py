"""``cunzheng backup`` and ``restore``: an online copy of a log being written, restored only once verified."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import httpx
import orjson
from nacl.signing import SigningKey

from cunzheng.ledger.checkpoint_file import LATEST_CHECKPOINT_FILE
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, OPERATOR_KEY_FILE
from cunzheng.ledger.note import Checkpoint, read_note
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.store import Store
from tests.conftest import (
    JSON,
    evidence,
    log_through_app,
    registration,
    run_cli,
    serve_in_thread,
    stop_server,
)


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, batch_wait_ms=1)


def _fresh(tmp_path: Path, source: Path) -> Path:
    """Return a new data directory holding *source*'s keys and nothing else."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for name in (LOG_KEY_FILE, OPERATOR_KEY_FILE):
        shutil.copy(source / name, fresh / name)
    return fresh


def _backup_checkpoint(backup: Path) -> Checkpoint:
    store = Store.open(f"sqlite:///{(backup / 'cunzheng.db').resolve()}")
    try:
        note = store.latest_checkpoint()
    finally:
        store.close()
    assert note is not None
    return Checkpoint.parse(read_note(note, []).text)


def test_a_log_backed_up_while_written_restores_into_a_fresh_data_dir(
    tmp_path: Path, holder: SigningKey
) -> None:
    settings = _settings(tmp_path / "data")
    server = serve_in_thread(settings)
    stop = threading.Event()
    logged: list[int] = []

    def write() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            r = client.post("/v1/statements", content=registration(holder).canonical, headers=JSON)
            assert r.status_code == 201, r.text
            n = 0
            while not stop.is_set():
                batch = [evidence(holder, n + i).to_json() for i in range(20)]
                r = client.post("/v1/statements/batch", content=orjson.dumps(batch), headers=JSON)
                assert r.status_code == 200, r.text
                n += 20
                logged.append(n)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(logged) < 5:
            stop.wait(0.01)
        cli = run_cli("backup", "--data-dir", str(settings.data_dir), str(tmp_path / "bk"))
        written_during = len(logged)
        while len(logged) < written_during + 3:  # the writer went on through the backup
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
        stop_server(server)
    assert cli.returncode == 0, cli.stderr
    assert "keys" in cli.stderr and "not copied" in cli.stderr
    assert sorted(p.name for p in (tmp_path / "bk").iterdir()) == [
        "cunzheng.db",
        LATEST_CHECKPOINT_FILE,
    ]
    copied = _backup_checkpoint(tmp_path / "bk")
    assert copied.size > 1

    fresh = _fresh(tmp_path, settings.data_dir)
    cli = run_cli("restore", str(tmp_path / "bk"), "--data-dir", str(fresh))
    assert cli.returncode == 0, cli.stderr
    assert f"size {copied.size}" in cli.stdout
    restored = serve_in_thread(_settings(fresh))
    try:
        info = httpx.get(f"{restored.url}/log/info", timeout=10).json()
    finally:
        stop_server(restored)
    assert info["size"] == copied.size
    store = Store.open(f"sqlite:///{(fresh / 'cunzheng.db').resolve()}")
    try:
        assert store.head().root == copied.root
    finally:
        store.close()


def test_a_backup_with_a_changed_leaf_is_refused(tmp_path: Path, holder: SigningKey) -> None:
    settings = _settings(tmp_path / "data")
    log_through_app(settings, holder, 300)
    assert (
        run_cli("backup", "--data-dir", str(settings.data_dir), str(tmp_path / "bk")).returncode
        == 0
    )
    db = sqlite3.connect(tmp_path / "bk" / "cunzheng.db")
    (leaf,) = db.execute("SELECT leaf FROM entries WHERE idx = 270").fetchone()
    changed = leaf[:-1] + bytes([leaf[-1] ^ 1])
    with db:  # left in the backup's -wal file while open: restore reads it too
        db.execute("UPDATE entries SET leaf = ? WHERE idx = 270", (changed,))
    fresh = _fresh(tmp_path, settings.data_dir)
    cli = run_cli("restore", str(tmp_path / "bk"), "--data-dir", str(fresh))
    assert cli.returncode == 1
    assert "hash tile tile/0/001.p/46 does not match its entries from entry 270 on" in cli.stderr, (
        cli.stderr
    )
    assert len(cli.stderr.strip().splitlines()) == 1 and "Traceback" not in cli.stderr
    db.close()
    assert sorted(p.name for p in fresh.iterdir()) == [LOG_KEY_FILE, OPERATOR_KEY_FILE]


def test_a_backup_behind_the_latest_checkpoint_is_refused(
    tmp_path: Path, holder: SigningKey
) -> None:
    settings = _settings(tmp_path / "data")
    early = log_through_app(settings, holder, 5)
    assert (
        run_cli("backup", "--data-dir", str(settings.data_dir), str(tmp_path / "bk")).returncode
        == 0
    )
    late = log_through_app(settings, holder, 5, first=5)
    cli = run_cli("restore", str(tmp_path / "bk"), "--data-dir", str(settings.data_dir))
    assert cli.returncode == 1
    assert (
        f"the backup is behind the log: the backup holds a tree of size {early}, but this log "
        f"signed a checkpoint of size {late}"
    ) in cli.stderr
    assert len(cli.stderr.strip().splitlines()) == 1
    assert log_through_app(settings, holder, 0, first=10) == late  # nothing was replaced

    cli = run_cli(
        "restore", str(tmp_path / "bk"), "--data-dir", str(settings.data_dir), "--accept-rollback"
    )
    assert cli.returncode == 0, cli.stderr
    assert "ROLLED BACK" in cli.stderr
    assert (settings.data_dir / f"{LATEST_CHECKPOINT_FILE}.rolled-back-from-{late}").exists()
    assert log_through_app(settings, holder, 0, first=10) == early
