"""``cunzheng backup`` and ``restore`` of a PostgreSQL log: pg_dump while it is written, pg_restore checked.

Each test makes databases of its own on the server of ``CUNZHENG_TEST_DATABASE_URL``
(dropped afterwards), so that tests in parallel never share one.
"""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from nacl.signing import SigningKey
from sqlalchemy import create_engine, inspect, make_url, text

from cunzheng.ledger.backup import PG_DUMP_FILE
from cunzheng.ledger.checkpoint_file import LATEST_CHECKPOINT_FILE
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, OPERATOR_KEY_FILE
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.store import Store
from tests.conftest import (
    JSON,
    PG_URL,
    evidence,
    log_through_app,
    registration,
    run_cli,
    serve_in_thread,
    stop_server,
)

pytestmark = [
    pytest.mark.skipif(
        not (PG_URL or "").startswith("postgresql"),
        reason="needs CUNZHENG_TEST_DATABASE_URL=postgresql://... (a server it may create databases on)",
    ),
    pytest.mark.skipif(
        shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
        reason="needs PostgreSQL's pg_dump and pg_restore on PATH",
    ),
]
RESTORED = re.compile(r"restored a tree of size (?P<size>\d+), root (?P<root>[0-9a-f]{64})")


def _engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def new_database() -> Iterator[Callable[[], str]]:
    """Make empty databases on the test server, each with a name of its own; drop them after."""
    assert PG_URL is not None
    admin = create_engine(_engine_url(PG_URL), isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"cz_backup_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _settings(data_dir: Path, url: str) -> Settings:
    return Settings(data_dir=data_dir, database_url=url, batch_wait_ms=1)


def _tables(url: str) -> list[str]:
    engine = create_engine(_engine_url(url))
    try:
        with engine.connect() as conn:
            return sorted(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _with_keys(tmp_path: Path, source: Path, name: str = "fresh") -> Path:
    """Return a new data directory holding *source*'s keys and nothing else."""
    fresh = tmp_path / name
    fresh.mkdir()
    for key in (LOG_KEY_FILE, OPERATOR_KEY_FILE):
        shutil.copy(source / key, fresh / key)
    return fresh


def _backup(monkeypatch: pytest.MonkeyPatch, url: str, data_dir: Path, out: Path) -> None:
    monkeypatch.setenv("CUNZHENG_DATABASE_URL", url)
    cli = run_cli("backup", "--data-dir", str(data_dir), str(out))
    assert cli.returncode == 0, cli.stderr
    assert sorted(p.name for p in out.iterdir()) == [PG_DUMP_FILE, LATEST_CHECKPOINT_FILE]


def _restore(
    monkeypatch: pytest.MonkeyPatch, url: str, backup: Path, data_dir: Path, *extra: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("CUNZHENG_DATABASE_URL", url)
    cli = run_cli("restore", str(backup), "--data-dir", str(data_dir), *extra)
    return cli.returncode, cli.stdout, cli.stderr


def _one_line_refusal(code: int, stderr: str) -> None:
    assert code == 1
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith("cunzheng restore: ") and "Traceback" not in stderr


def test_a_log_dumped_while_written_restores_into_an_empty_database_and_serves(
    tmp_path: Path,
    holder: SigningKey,
    new_database: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = new_database()
    settings = _settings(tmp_path / "data", source)
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
        _backup(monkeypatch, source, settings.data_dir, tmp_path / "bk")
        written_during = len(logged)
        while len(logged) < written_during + 3:  # the writer went on through the backup
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
        stop_server(server)

    target = new_database()
    fresh = _with_keys(tmp_path, settings.data_dir)
    code, out, err = _restore(monkeypatch, target, tmp_path / "bk", fresh)
    assert code == 0, err
    restored = RESTORED.search(out)
    assert restored is not None, out
    size = int(restored["size"])
    assert size > 1
    # The newest checkpoint of the dump is one the running log signed, and the same note.
    original, copy = Store.open(source), Store.open(target)
    try:
        assert original.head().size > size  # the log went on past the dump
        assert copy.latest_checkpoint() == original.checkpoint_at(size)
        assert copy.head().root.hex() == restored["root"]
    finally:
        original.close()
        copy.close()
    assert (fresh / LATEST_CHECKPOINT_FILE).read_text() == original_note(source, size)

    served = serve_in_thread(_settings(fresh, target))
    try:
        info = httpx.get(f"{served.url}/log/info", timeout=10).json()
    finally:
        stop_server(served)
    assert info["size"] == size


def original_note(url: str, size: int) -> str:
    store = Store.open(url)
    try:
        note = store.checkpoint_at(size)
    finally:
        store.close()
    assert note is not None
    return note


def test_a_restore_into_a_database_holding_a_log_is_refused_and_changes_nothing(
    tmp_path: Path,
    holder: SigningKey,
    new_database: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = new_database()
    settings = _settings(tmp_path / "data", source)
    size = log_through_app(settings, holder, 40)
    _backup(monkeypatch, source, settings.data_dir, tmp_path / "bk")
    target = new_database()
    fresh = _with_keys(tmp_path, settings.data_dir)
    code, out, err = _restore(monkeypatch, target, tmp_path / "bk", fresh)
    assert code == 0, err
    assert f"tree of size {size}" in out
    original, copy = Store.open(source), Store.open(target)
    try:
        registry = copy.registry_snapshot()
        assert registry == original.registry_snapshot()  # replayed: the same parties, keys, digests
        assert copy.head() == original.head()
    finally:
        original.close()
        copy.close()
    tables = _tables(target)

    code, _, err = _restore(monkeypatch, target, tmp_path / "bk", fresh)
    _one_line_refusal(code, err)
    assert "is not empty (schema public holds " in err
    assert "restoring over a live log is for the operator to decide by hand" in err
    assert _tables(target) == tables
    copy = Store.open(target)
    try:
        assert copy.registry_snapshot() == registry
        assert copy.head().size == size
    finally:
        copy.close()


def test_a_dump_with_a_changed_entry_is_refused_and_leaves_the_database_empty(
    tmp_path: Path,
    holder: SigningKey,
    new_database: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = new_database()
    settings = _settings(tmp_path / "data", source)
    log_through_app(settings, holder, 300)
    # The dump of a scratch copy whose entry 270 was changed after the copy was restored.
    scratch = new_database()
    _backup(monkeypatch, source, settings.data_dir, tmp_path / "bk")
    code, _, err = _restore(
        monkeypatch, scratch, tmp_path / "bk", _with_keys(tmp_path, settings.data_dir, "scratch")
    )
    assert code == 0, err
    engine = create_engine(_engine_url(scratch))
    with engine.begin() as conn:
        leaf = conn.execute(text("SELECT leaf FROM entries WHERE idx = 270")).scalar_one()
        changed = leaf[:-1] + bytes([leaf[-1] ^ 1])
        conn.execute(text("UPDATE entries SET leaf = :leaf WHERE idx = 270"), {"leaf": changed})
    engine.dispose()
    _backup(monkeypatch, scratch, tmp_path / "scratch", tmp_path / "changed")

    target = new_database()
    fresh = _with_keys(tmp_path, settings.data_dir)
    code, _, err = _restore(monkeypatch, target, tmp_path / "changed", fresh)
    _one_line_refusal(code, err)
    assert "hash tile tile/0/001.p/46 does not match its entries from entry 270 on" in err, err
    assert _tables(target) == []  # the load was undone
    assert sorted(p.name for p in fresh.iterdir()) == [LOG_KEY_FILE, OPERATOR_KEY_FILE]


def test_a_dump_behind_the_latest_checkpoint_is_refused_unless_the_rollback_is_accepted(
    tmp_path: Path,
    holder: SigningKey,
    new_database: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = new_database()
    settings = _settings(tmp_path / "data", source)
    early = log_through_app(settings, holder, 5)
    _backup(monkeypatch, source, settings.data_dir, tmp_path / "bk")
    late = log_through_app(settings, holder, 5, first=5)

    target = new_database()
    code, _, err = _restore(monkeypatch, target, tmp_path / "bk", settings.data_dir)
    _one_line_refusal(code, err)
    assert (
        f"the backup is behind the log: the backup holds a tree of size {early}, but this log "
        f"signed a checkpoint of size {late}"
    ) in err
    assert _tables(target) == []
    assert not (settings.data_dir / f"{LATEST_CHECKPOINT_FILE}.rolled-back-from-{late}").exists()

    code, _, err = _restore(
        monkeypatch, target, tmp_path / "bk", settings.data_dir, "--accept-rollback"
    )
    assert code == 0, err
    assert "ROLLED BACK" in err
    assert (settings.data_dir / f"{LATEST_CHECKPOINT_FILE}.rolled-back-from-{late}").exists()
    assert log_through_app(_settings(settings.data_dir, target), holder, 0, first=10) == early


def test_a_backup_without_pg_dump_or_with_a_failing_one_says_so_in_one_line(
    tmp_path: Path, new_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = new_database()
    monkeypatch.setenv("CUNZHENG_DATABASE_URL", source)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    cli = run_cli("backup", "--data-dir", str(tmp_path / "data"), str(tmp_path / "bk"))
    assert cli.returncode == 1
    assert cli.stderr.strip().splitlines() == [
        "cunzheng backup: pg_dump is not on PATH: install PostgreSQL's client programs, of "
        "the server's major version or newer"
    ]

    fake = bin_dir / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump: error: server version mismatch' >&2\nexit 1\n")
    fake.chmod(0o755)
    cli = run_cli("backup", "--data-dir", str(tmp_path / "data"), str(tmp_path / "bk2"))
    assert cli.returncode == 1
    assert cli.stderr.strip().splitlines() == [
        "cunzheng backup: pg_dump failed (exit 1): server version mismatch"
    ]
    assert not (tmp_path / "bk2" / PG_DUMP_FILE).exists()
    assert not any(p.name.endswith(".partial") for p in (tmp_path / "bk2").iterdir())


def _in_schema(url: str, schema: str) -> str:
    """Return *url* with its search_path set to a new *schema*, made now."""
    engine = create_engine(_engine_url(url))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{url}?options=-csearch_path%3D{schema}"


def test_a_log_in_a_schema_of_its_own_restores_only_into_that_schema(
    tmp_path: Path,
    holder: SigningKey,
    new_database: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = _in_schema(new_database(), "ledger_a")
    settings = _settings(tmp_path / "data", source)
    size = log_through_app(settings, holder, 10)
    _backup(monkeypatch, source, settings.data_dir, tmp_path / "bk")
    fresh = _with_keys(tmp_path, settings.data_dir)

    elsewhere = new_database()
    code, _, err = _restore(monkeypatch, elsewhere, tmp_path / "bk", fresh)
    _one_line_refusal(code, err)
    assert "is of a log in schema ledger_a, but " in err and "in schema public" in err
    assert _tables(elsewhere) == []

    target = _in_schema(new_database(), "ledger_a")
    code, out, err = _restore(monkeypatch, target, tmp_path / "bk", fresh)
    assert code == 0, err
    assert f"tree of size {size}" in out
    assert log_through_app(_settings(fresh, target), holder, 0, first=10) == size
