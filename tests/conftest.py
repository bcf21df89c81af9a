"""Small worlds for the tests: a log on each database engine, submitters, a running server.

Every test that touches storage runs on SQLite, and on PostgreSQL too when
``CUNZHENG_TEST_DATABASE_URL`` is set (``.ci/run`` sets it). Each PostgreSQL
test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from nacl.signing import SigningKey
from sqlalchemy import create_engine, text

from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.statements import Statement, sign_statement
from cunzheng.ledger.store import Store

T = TypeVar("T")
SIGNED_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
PG_URL = os.environ.get("CUNZHENG_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: SQLite in a temporary directory, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    yield from _pg_schema()


def _pg_schema() -> Iterator[str]:
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on a fresh database."""
    s = Store.open(database_url)
    yield s
    s.close()


@pytest.fixture
def log_signer() -> Signer:
    """The log's checkpoint signing key."""
    return Signer.generate("test.example/log")


@pytest.fixture
def holder() -> SigningKey:
    """A rights holder's statement key (registered as entry 0 of the ``log`` fixture)."""
    return SigningKey.generate()


@pytest.fixture
def log(store: Store, log_signer: Signer, holder: SigningKey) -> Iterator[Log]:
    """A started log with small, quick batches, whose entry 0 registers ``holder``."""
    lg = Log(store, log_signer, batch_size=64, batch_wait=0.002).start()
    lg.add(registration(holder)).result()
    yield lg
    lg.stop()


def registration(
    key: SigningKey,
    *,
    kind: str = "rights_holder",
    name: str = "Test holder",
    signer: SigningKey | None = None,
) -> Statement:
    """Return the party.register statement of *key*, signed by itself or by *signer*."""
    body = {"kind": kind, "name": name, "key": base64.b64encode(bytes(key.verify_key)).decode()}
    return sign_statement(type="party.register", body=body, key=signer or key, signed_at=SIGNED_AT)


def evidence(key: SigningKey, n: int) -> Statement:
    """Return the evidence.timestamp statement by *key* over a digest derived from *n* (deterministic)."""
    return sign_statement(
        type="evidence.timestamp", body={"sha256": f"{n:064x}"}, key=key, signed_at=SIGNED_AT
    )


@dataclass(frozen=True)
class LiveServer:
    """A ``cunzheng serve`` process on loopback."""

    url: str
    vkey: str
    data_dir: Path
    process: subprocess.Popen[bytes]


def free_port() -> int:
    """Return a TCP port on loopback that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(
    argv: list[str], log: Path, probe: Callable[[], T], env: dict[str, str] | None = None
) -> tuple[T, subprocess.Popen[bytes]]:
    """Start *argv* with output to *log* and return what *probe* gives once it stops failing."""
    with open(log, "wb") as logfile:
        proc = subprocess.Popen(argv, env=env, stdout=logfile, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            return probe(), proc
        except (httpx.HTTPError, ValueError):
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{argv[3]} did not start: {log.read_text()}")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process started by launch."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def start_server(data_dir: Path, database_url: str | None = None, **env: str) -> LiveServer:
    """Start ``cunzheng serve`` on a free port and wait until it answers."""
    port = free_port()
    environ = {**os.environ, **env}
    if database_url:
        environ["CUNZHENG_DATABASE_URL"] = database_url
    url = f"http://127.0.0.1:{port}"
    argv = [
        sys.executable,
        "-m",
        "cunzheng.cli",
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
    ]
    info, proc = launch(
        argv,
        data_dir.parent / f"server-{port}.log",
        lambda: httpx.get(f"{url}/log/info", timeout=1).json(),
        environ,
    )
    return LiveServer(url, info["verifier_key"], data_dir, proc)


def stop_server(server: LiveServer) -> None:
    """Stop a server started by start_server."""
    stop_process(server.process)


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A running ``cunzheng serve`` on this test's database."""
    url = None if database_url.startswith("sqlite") else database_url
    server = start_server(tmp_path / "data", url)
    yield server
    stop_server(server)
