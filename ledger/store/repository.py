"""The log's storage: SQLite (WAL) by default, PostgreSQL by URL.

The store only persists and reads back; the sequencer in ``ledger.log``
decides what to write. A write happens inside ``Store.batch()``, one database
transaction that first locks the log's head row, so that exactly one writer
integrates at a time even when several processes share a PostgreSQL log.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cunzheng.ledger.errors import NotFound
from cunzheng.ledger.registry import KeyRecord, Party
from cunzheng.ledger.registry.state import Asset
from cunzheng.ledger.store import registry
from cunzheng.ledger.store.registry import BatchRegistry
from cunzheng.ledger.store.tables import checkpoint_evidence, checkpoints, entries, log_head, tiles

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Head:
    """The size and root hash of the log's latest checkpoint."""

    size: int
    root: bytes


@dataclass(frozen=True)
class CheckpointEvidence:
    """A checkpoint with the RFC 3161 tokens over it and its witness-cosigned note, if any."""

    size: int
    note: str
    tokens: tuple[bytes, ...]
    cosigned: str | None


@dataclass(frozen=True)
class EntryRow:
    """One stored entry: its index, identity hashes and leaf bytes."""

    index: int
    statement_hash: bytes
    leaf_hash: bytes
    leaf: bytes


def connect(url: str) -> Engine:
    """Return an engine for *url*, with SQLite set up for WAL and durable commits."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN IMMEDIATE works.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before the sequencer acknowledges any statement.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """Reads and writes the log's tables through one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, url: str) -> Store:
        """Return a store on *url* with its schema migrated to the latest revision."""
        store = cls(connect(url))
        store.migrate()
        return store

    def migrate(self) -> None:
        """Bring the schema to the latest Alembic revision."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    # Reads ---------------------------------------------------------------

    def head(self) -> Head:
        """Return the size and root of the latest checkpoint."""
        with self.engine.connect() as conn:
            row = conn.execute(select(log_head.c.size, log_head.c.root)).one()
        return Head(row.size, bytes(row.root))

    def latest_checkpoint(self) -> str | None:
        """Return the signed note of the latest checkpoint, or None before the first."""
        with self.engine.connect() as conn:
            note = conn.execute(
                select(checkpoints.c.note).order_by(checkpoints.c.size.desc()).limit(1)
            ).scalar()
        return note

    def latest_checkpoint_row(self) -> tuple[int, str] | None:
        """Return the size and signed note of the latest checkpoint, or None before the first."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(checkpoints.c.size, checkpoints.c.note)
                .order_by(checkpoints.c.size.desc())
                .limit(1)
            ).first()
        return None if row is None else (row.size, row.note)

    def put_checkpoint_evidence(
        self, size: int, *, tokens: Sequence[bytes], cosigned: str | None
    ) -> None:
        """Keep time-stamp tokens over, and the cosigned note of, the checkpoint of *size*."""
        doc = orjson.dumps([base64.b64encode(t).decode() for t in tokens]).decode()
        stmt = (sqlite_insert if self.is_sqlite else pg_insert)(checkpoint_evidence).values(
            size=size, tokens=doc, cosigned=cosigned
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["size"],
            set_={"tokens": stmt.excluded.tokens, "cosigned": stmt.excluded.cosigned},
        )
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def checkpoint_evidence(self, size: int | None = None) -> CheckpointEvidence | None:
        """Return the evidence kept about the checkpoint of *size* (default: the latest that has any)."""
        query = select(
            checkpoints.c.size,
            checkpoints.c.note,
            checkpoint_evidence.c.tokens,
            checkpoint_evidence.c.cosigned,
        ).join(checkpoint_evidence, checkpoint_evidence.c.size == checkpoints.c.size)
        query = query.where(checkpoints.c.size == size) if size is not None else query
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(checkpoints.c.size.desc()).limit(1)).first()
        if row is None:
            return None
        tokens = tuple(base64.b64decode(t) for t in orjson.loads(row.tokens))
        return CheckpointEvidence(row.size, row.note, tokens, row.cosigned)

    def checkpoint_at(self, size: int) -> str | None:
        """Return the signed checkpoint published for *size*, if any."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(checkpoints.c.note).where(checkpoints.c.size == size)
            ).scalar()

    def read_tiles(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Return the stored data of the hash tiles *keys* (level, index) that exist."""
        keys = list(keys)
        if not keys:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(tiles.c.level, tiles.c.idx, tiles.c.data).where(
                    tuple_(tiles.c.level, tiles.c.idx).in_(keys)
                )
            )
            return {(r.level, r.idx): bytes(r.data) for r in rows}

    def leaves(self, start: int, stop: int) -> list[bytes]:
        """Return the leaves with indexes in [start, stop), in order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(entries.c.leaf)
                .where(entries.c.idx >= start, entries.c.idx < stop)
                .order_by(entries.c.idx)
            )
            return [bytes(r.leaf) for r in rows]

    def entry(self, index: int) -> EntryRow | None:
        """Return the entry at *index*, if logged."""
        return self._one(entries.c.idx == index)

    def entry_by_leaf_hash(self, leaf_hash: bytes) -> EntryRow | None:
        """Return the entry whose leaf hashes to *leaf_hash*, if logged."""
        return self._one(entries.c.leaf_hash == leaf_hash)

    def find_statements(self, hashes: Sequence[bytes]) -> dict[bytes, EntryRow]:
        """Return the logged entries among statement hashes *hashes*, by hash."""
        if not hashes:
            return {}
        with self.engine.connect() as conn:
            return self._find(conn, hashes)

    def key_record(self, key: bytes) -> KeyRecord | None:
        """Return the record of a party's key, if registered."""
        with self.engine.connect() as conn:
            return registry.load_key(conn, key)

    def party(self, party_id: bytes) -> Party | None:
        """Return the registered party *party_id*, if any."""
        with self.engine.connect() as conn:
            return registry.load_party(conn, party_id)

    def asset(self, asset_id: bytes) -> Asset:
        """Return the registered asset *asset_id*; NotFound if there is none."""
        with self.engine.connect() as conn:
            asset = registry.load_object(conn, "asset", asset_id)
        if not isinstance(asset, Asset):
            raise NotFound(f"no asset has id {asset_id.hex()}")
        return asset

    def party_keys(self, party_id: bytes) -> list[KeyRecord]:
        """Return every key party *party_id* has had, oldest first."""
        with self.engine.connect() as conn:
            return registry.load_party_keys(conn, party_id)

    def indexes_for_digest(self, digest: bytes) -> list[int]:
        """Return the indexes of the entries that reference *digest*."""
        with self.engine.connect() as conn:
            return registry.entries_for_digest(conn, digest)

    def leaves_at(self, indexes: Sequence[int]) -> dict[int, bytes]:
        """Return the leaves at *indexes*, by index."""
        with self.engine.connect() as conn:
            return registry.leaves_at(conn, indexes)

    def _one(self, where: Any) -> EntryRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(*entries.c["idx", "statement_hash", "leaf_hash", "leaf"]).where(where)
            ).first()
        return None if row is None else _entry_row(row)

    @staticmethod
    def _find(conn: Connection, hashes: Sequence[bytes]) -> dict[bytes, EntryRow]:
        found: dict[bytes, EntryRow] = {}
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        for i in range(0, len(hashes), 500):
            chunk = list(hashes[i : i + 500])
            # The driver directly: this lookup runs once per batch on the hot path.
            sql = (
                "SELECT idx, statement_hash, leaf_hash, leaf FROM entries "
                f"WHERE statement_hash IN ({', '.join([mark] * len(chunk))})"
            )
            for row in conn.exec_driver_sql(sql, tuple(chunk)):
                found[bytes(row[1])] = EntryRow(row[0], bytes(row[1]), bytes(row[2]), bytes(row[3]))
        return found

    # Writes --------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """Yield a write transaction holding the log's lock; it commits when the block ends."""
        conn = self.engine.connect().execution_options(sqlite_immediate=True)
        try:
            with conn.begin():
                yield Batch(conn, self.is_sqlite)
        finally:
            conn.close()


class Batch:
    """The writes of one integration, all in one transaction under the log's lock."""

    def __init__(self, conn: Connection, is_sqlite: bool) -> None:
        self._conn = conn
        self._insert = sqlite_insert if is_sqlite else pg_insert
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        columns = "idx, statement_hash, leaf_hash, leaf, type, signer"
        self._insert_entries = f"INSERT INTO entries ({columns}) VALUES ({', '.join([mark] * 6)})"
        query = select(log_head.c.size, log_head.c.root).where(log_head.c.id == 1)
        # SQLite's BEGIN IMMEDIATE already holds the write lock; PostgreSQL locks the row.
        row = conn.execute(query if is_sqlite else query.with_for_update()).one()
        self.head = Head(row.size, bytes(row.root))

    def find_statements(self, hashes: Sequence[bytes]) -> dict[bytes, EntryRow]:
        """Return the entries already logged among *hashes*, seen under the lock."""
        return Store._find(self._conn, hashes) if hashes else {}

    def read_tiles(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Return the stored hash tiles *keys* as this transaction sees them."""
        keys = list(keys)
        if not keys:
            return {}
        rows = self._conn.execute(
            select(tiles.c.level, tiles.c.idx, tiles.c.data).where(
                tuple_(tiles.c.level, tiles.c.idx).in_(keys)
            )
        )
        return {(r.level, r.idx): bytes(r.data) for r in rows}

    @property
    def connection(self) -> Connection:
        """Return the connection of this batch's transaction."""
        return self._conn

    def registry_view(self) -> BatchRegistry:
        """Return a view of the registry's state for the rules, as this transaction sees it."""
        return BatchRegistry(self._conn, self._insert)

    def add_entries(self, rows: Sequence[tuple[int, bytes, bytes, bytes, str, bytes]]) -> None:
        """Insert entries given as (idx, statement_hash, leaf_hash, leaf, type, signer) tuples."""
        if rows:
            # The driver's executemany directly: per-value processing in SQLAlchemy
            # costs more than the insert itself on the integration hot path.
            self._conn.exec_driver_sql(self._insert_entries, list(rows))

    def put_tiles(self, data: dict[tuple[int, int], bytes]) -> None:
        """Write hash tiles, replacing the stored copy of any that grew."""
        if not data:
            return
        stmt = self._insert(tiles)
        stmt = stmt.on_conflict_do_update(
            index_elements=["level", "idx"], set_={"data": stmt.excluded.data}
        )
        self._conn.execute(stmt, [{"level": k[0], "idx": k[1], "data": v} for k, v in data.items()])

    def publish(self, *, size: int, root: bytes, note: str, at: datetime) -> None:
        """Record the signed checkpoint *note* for *size* and move the head to it."""
        self._conn.execute(checkpoints.insert(), [{"size": size, "note": note, "created_at": at}])
        self._conn.execute(update(log_head).where(log_head.c.id == 1).values(size=size, root=root))


def _entry_row(row: Any) -> EntryRow:
    return EntryRow(row.idx, bytes(row.statement_hash), bytes(row.leaf_hash), bytes(row.leaf))
