"""Small worlds for the tests: a log on each database engine, submitters, a running server.

Every test that touches storage runs on SQLite, and on PostgreSQL too when
``CUNZHENG_TEST_DATABASE_URL`` is set (``.ci/run`` sets it). Each PostgreSQL
test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson
import pytest
import uvicorn
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import create_engine, text

from cunzheng.api.app import create_app
from cunzheng.api.server import server_config
from cunzheng.cli.main import main as cli_main
from cunzheng.ledger.clock import Clock, utc_now
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.statements import Statement, sign_statement
from cunzheng.ledger.store import Store

T = TypeVar("T")
SIGNED_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
PG_URL = os.environ.get("CUNZHENG_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# The headers of a JSON request: the API refuses any other media type with a 415.
JSON = {"Content-Type": "application/json"}


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


class FixedClock:
    """A clock that stands still until a test moves it: the ``now`` of a log or an app."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def __call__(self) -> datetime:
        """Return the time the clock shows."""
        return self._now

    def advance(self, step: timedelta) -> None:
        """Move the clock forward by *step*."""
        self._now += step


@pytest.fixture
def clock() -> FixedClock:
    """A fixed clock, a minute behind the real time when the test starts.

    Behind, so that whatever the app still reads from the real clock (the default
    ``at`` of a question, a TSA's genTime) comes after every entry the test logs.
    """
    return FixedClock(datetime.now(UTC) - timedelta(minutes=1))


@dataclass(frozen=True)
class CliResult:
    """What one ``cunzheng`` command did: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> CliResult:
    """Run ``cunzheng *args*`` in this process, as the console script would, and capture it."""
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext(),
    ):
        try:
            code = cli_main(list(args))
        except SystemExit as e:  # argparse: --help, usage errors
            code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    return CliResult(code, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class LiveServer:
    """A log served on loopback: a ``cunzheng serve`` process, or the app in a thread of this one."""

    url: str
    vkey: str
    data_dir: Path
    process: subprocess.Popen[bytes] | None = None
    thread: ThreadServer | None = None


@dataclass(frozen=True)
class ThreadServer:
    """The uvicorn server and thread behind a LiveServer started by serve_in_thread."""

    server: uvicorn.Server
    thread: threading.Thread


# Ports handed to servers started in another process, below the kernel's ephemeral range
# (32768 and up on Linux), where port-0 binds (serve_in_thread, clients) never land, and a
# block of its own for each xdist worker: a port found free here cannot be taken by another
# worker, or by a socket bound to port 0, before the server binds it.
_PORT_BASE, _PORT_BLOCK = 20_000, 1_000
_PORTS_GIVEN: set[int] = set()


def free_port() -> int:
    """Return a loopback TCP port, free now, that no other test process will be given."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    low = _PORT_BASE + (int(worker) % 12 if worker.isdigit() else 0) * _PORT_BLOCK
    for port in random.sample(range(low, low + _PORT_BLOCK), _PORT_BLOCK):
        if port in _PORTS_GIVEN:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _PORTS_GIVEN.add(port)
        return port
    raise RuntimeError(f"no free port left in {low}..{low + _PORT_BLOCK - 1}")


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


def serve_in_thread(settings: Settings, *, now: Clock = utc_now) -> LiveServer:
    """Serve the app for *settings* from a thread of this process, on a socket bound here."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    # The configuration `cunzheng serve` uses: the same connection limits and deadlines.
    config = server_config(
        create_app(settings, now=now), settings, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"server-{port}", daemon=True
    )
    thread.start()
    url = f"http://127.0.0.1:{port}"
    started = threading.Event()
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise RuntimeError(f"the app on {url} did not start")
        started.wait(0.01)  # the server thread sets no event of its own to wait on
    info = httpx.get(f"{url}/log/info", timeout=10).json()
    return LiveServer(
        url, info["verifier_key"], settings.data_dir, thread=ThreadServer(server, thread)
    )


def stop_server(server: LiveServer) -> None:
    """Stop a server started by start_server or serve_in_thread."""
    if server.process is not None:
        stop_process(server.process)
    if server.thread is not None:
        server.thread.server.should_exit = True
        server.thread.thread.join(timeout=30)


def server_settings(data_dir: Path, database_url: str, **fields: Any) -> Settings:
    """Return the settings of a log in *data_dir* on *database_url* (SQLite: in the data directory)."""
    url = None if database_url.startswith("sqlite") else database_url
    return Settings(data_dir=data_dir, database_url=url, **fields)


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The log on this test's database, served on loopback from a thread of this process."""
    server = serve_in_thread(server_settings(tmp_path / "data", database_url))
    yield server
    stop_server(server)


def log_through_app(settings: Settings, holder: SigningKey, count: int, *, first: int = 0) -> int:
    """Start the service on *settings*, log *count* evidence statements, stop; return the size.

    With *first* 0 the holder is registered first; later calls go on from evidence *first*.
    """
    with TestClient(create_app(settings)) as client:
        if first == 0:
            r = client.post("/v1/statements", content=registration(holder).canonical, headers=JSON)
            assert r.status_code == 201, r.text
        if count:
            batch = [evidence(holder, first + i).to_json() for i in range(count)]
            r = client.post("/v1/statements/batch", content=orjson.dumps(batch), headers=JSON)
            assert r.status_code == 200, r.text
        size: int = client.get("/log/info").json()["size"]
    return size
