"""Engines and schema: SQLite set up for WAL and durable commits, PostgreSQL by URL, Alembic migrations.

Several processes may open one database at once (``cunzheng serve`` on a
shared PostgreSQL log), so migrations run under a lock: PostgreSQL's
transaction-level advisory lock, SQLite's ``BEGIN IMMEDIATE``. The first
process migrates; the others wait, then find the schema at the latest
revision. ``startup_lock`` serialises the rest of a start (the first
checkpoint, the operator's registration) the same way.
"""

from __future__ import annotations

import fcntl
import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text

MIGRATIONS = Path(__file__).parent / "migrations"
# Advisory lock keys (class, object): the object is a hash of the schema, so logs in
# different schemas of one database migrate and start independently.
_MIGRATE_LOCK = 0x637A6D
_STARTUP_LOCK = 0x637A73
_LOCK_ARGS = "CAST(:kind AS integer), hashtext(current_schema())"
# Alembic's context and operations are process globals: one migration at a time per process.
_MIGRATING = threading.Lock()


def connect(url: str) -> Engine:
    """Return an engine for *url*, with SQLite set up for WAL and durable commits."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema behind *engine* to the latest Alembic revision, one process at a time."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # SQLite: BEGIN IMMEDIATE takes the write lock before Alembic reads the version.
    with (
        _MIGRATING,
        engine.connect().execution_options(sqlite_immediate=True) as conn,
        conn.begin(),
    ):
        if engine.dialect.name == "postgresql":
            # Held to commit: a second process reads the version only after the first's DDL.
            conn.execute(
                text(f"SELECT pg_advisory_xact_lock({_LOCK_ARGS})"), {"kind": _MIGRATE_LOCK}
            )
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Hold a lock on the database that one starting process at a time may hold."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            args = {"kind": _STARTUP_LOCK}
            conn.execute(text(f"SELECT pg_advisory_lock({_LOCK_ARGS})"), args)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text(f"SELECT pg_advisory_unlock({_LOCK_ARGS})"), args)
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    # A lock file beside the database: the sequencer's own transactions stay free to run.
    with open(f"{database}-startup.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN IMMEDIATE works.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        _wal(cur)
        # FULL: a commit is on disk before the sequencer acknowledges any statement.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        # 64 MiB of page cache (the default is 2 MiB): a batch's writes to the random-keyed
        # indexes (statement and leaf hashes, registry objects) otherwise re-read their pages.
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _wal(cur: Any) -> None:
    # Turning a new database to WAL needs it to itself and does not wait for a busy one:
    # processes opening a new database at once retry until the first has turned it.
    for attempt in itertools.count():
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or attempt >= 200:
                raise
            time.sleep(0.05)
