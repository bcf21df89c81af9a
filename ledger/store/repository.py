"""The log's storage: SQLite (WAL) by default, PostgreSQL by URL.

The store only persists and reads back; the sequencer (``ledger.sequencer``)
decides what to write. A write happens inside ``Store.batch()``, one database
transaction that first locks the log's head row, so that exactly one writer
integrates at a time even when several processes share a PostgreSQL log.
Every other part of the ledger asks the store by name and never sees SQL.
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cunzheng.ledger.errors import LedgerError, NotFound
from cunzheng.ledger.registry import KeyRecord, Party, Policy
from cunzheng.ledger.registry.state import Asset, Object
from cunzheng.ledger.store import index_tables, log_tables, registry_state
from cunzheng.ledger.store.batch import Batch
from cunzheng.ledger.store.engine import connect, migrate, startup_lock
from cunzheng.ledger.store.index_tables import IndexSnapshot
from cunzheng.ledger.store.log_tables import CheckpointEvidence, EntryRow, Head
from cunzheng.ledger.store.recent import RecentStatements
from cunzheng.ledger.store.tables import (
    checkpoint_evidence,
    confidential,
    entries,
    used_requests,
)


class Store:
    """Reads and writes the log's tables through one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._recent = RecentStatements()

    @classmethod
    def open(cls, url: str) -> Store:
        """Return a store on *url* with its schema migrated to the latest revision."""
        store = cls(connect(url))
        store.migrate()
        return store

    def migrate(self) -> None:
        """Bring the schema to the latest Alembic revision."""
        migrate(self._engine)

    def close(self) -> None:
        """Release the engine's connections."""
        self._engine.dispose()

    # The log -------------------------------------------------------------

    def head(self) -> Head:
        """Return the size and root of the latest checkpoint."""
        with self._engine.connect() as conn:
            return log_tables.head(conn)

    def latest_checkpoint(self) -> str | None:
        """Return the signed note of the latest checkpoint, or None before the first."""
        latest = self.latest_checkpoint_row()
        return None if latest is None else latest[1]

    def latest_checkpoint_row(self) -> tuple[int, str] | None:
        """Return the size and signed note of the latest checkpoint, or None before the first."""
        with self._engine.connect() as conn:
            return log_tables.latest_checkpoint(conn)

    def latest_checkpoint_time(self) -> tuple[int, datetime] | None:
        """Return the size of the latest checkpoint and when it was signed, or None before the first."""
        with self._engine.connect() as conn:
            return log_tables.latest_checkpoint_time(conn)

    def checkpoint_at(self, size: int) -> str | None:
        """Return the signed note of the checkpoint of *size*, if the log signed one."""
        with self._engine.connect() as conn:
            return log_tables.checkpoint_at(conn, size)

    def index_snapshot(self, after: int) -> IndexSnapshot:
        """Return the head, its checkpoint and the index leaves changed after tree size *after*, read at one moment."""
        conn = self._engine.connect()
        if not self.is_sqlite:
            # One snapshot for the three reads; SQLite's WAL read transaction is one already.
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            with conn.begin():
                return index_tables.snapshot(conn, after)
        finally:
            conn.close()

    def checkpoint_evidence(self, size: int | None = None) -> CheckpointEvidence | None:
        """Return the evidence kept about the checkpoint of *size* (default: the latest that has any)."""
        with self._engine.connect() as conn:
            return log_tables.evidence_of(conn, size)

    def first_checkpoint_evidence_covering(self, index: int) -> CheckpointEvidence | None:
        """Return the evidence of the first checkpoint holding entry *index* that has tokens or cosignatures."""
        with self._engine.connect() as conn:
            return log_tables.first_evidence_covering(conn, index)

    def put_checkpoint_evidence(
        self, size: int, *, tokens: Sequence[bytes], cosigned: str | None
    ) -> None:
        """Keep time-stamp tokens over, and the cosigned note of, the checkpoint of *size*."""
        doc = orjson.dumps([base64.b64encode(t).decode() for t in tokens]).decode()
        stmt = self._upsert(checkpoint_evidence).values(size=size, tokens=doc, cosigned=cosigned)
        stmt = stmt.on_conflict_do_update(
            index_elements=["size"],
            set_={"tokens": stmt.excluded.tokens, "cosigned": stmt.excluded.cosigned},
        )
        with self._engine.begin() as conn:
            conn.execute(stmt)

    def read_tiles(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Return the stored data of the hash tiles *keys* (level, index) that exist."""
        with self._engine.connect() as conn:
            return log_tables.read_tiles(conn, keys)

    def leaves(self, start: int, stop: int) -> list[bytes]:
        """Return the leaves with indexes in [start, stop), in order."""
        with self._engine.connect() as conn:
            return log_tables.leaves(conn, start, stop)

    def leaves_at(self, indexes: Sequence[int]) -> dict[int, bytes]:
        """Return the leaves at *indexes*, by index."""
        with self._engine.connect() as conn:
            return log_tables.leaves_at(conn, indexes)

    def entry(self, index: int) -> EntryRow | None:
        """Return the entry at *index*, if logged."""
        with self._engine.connect() as conn:
            return log_tables.entry_where(conn, entries.c.idx == index)

    def entry_by_leaf_hash(self, leaf_hash: bytes) -> EntryRow | None:
        """Return the entry whose leaf hashes to *leaf_hash*, if logged."""
        with self._engine.connect() as conn:
            return log_tables.entry_by_leaf_hash(conn, leaf_hash)

    def find_statements(self, hashes: Sequence[bytes]) -> dict[bytes, EntryRow]:
        """Return the logged entries among statement hashes *hashes*, by hash."""
        if not hashes:
            return {}
        with self._engine.connect() as conn:
            return log_tables.find_statements(conn, hashes)

    # The registry --------------------------------------------------------

    def key_record(self, key: bytes) -> KeyRecord | None:
        """Return the record of a party's key, if registered."""
        with self._engine.connect() as conn:
            return registry_state.load_key(conn, key)

    def party(self, party_id: bytes) -> Party | None:
        """Return the registered party *party_id*, if any."""
        with self._engine.connect() as conn:
            return registry_state.load_party(conn, party_id)

    def party_keys(self, party_id: bytes) -> list[KeyRecord]:
        """Return every key party *party_id* has had, oldest first."""
        with self._engine.connect() as conn:
            return registry_state.load_party_keys(conn, party_id)

    def log_settings(self) -> Policy | None:
        """Return the registry settings of the latest log.settings entry, or None if there is none."""
        with self._engine.connect() as conn:
            return registry_state.load_settings(conn)

    def log_settings_indexes(self) -> list[int]:
        """Return the indexes of every log.settings entry, in log order."""
        with self._engine.connect() as conn:
            return registry_state.settings_indexes(conn)

    def asset(self, asset_id: bytes) -> Asset:
        """Return the registered asset *asset_id*; NotFound if there is none."""
        with self._engine.connect() as conn:
            asset = registry_state.load_object(conn, "asset", asset_id)
        if not isinstance(asset, Asset):
            raise NotFound(f"no asset has id {asset_id.hex()}")
        return asset

    def events_of_asset(self, asset_id: bytes) -> list[int]:
        """Return the indexes of the entries that are events of asset *asset_id*, in log order."""
        with self._engine.connect() as conn:
            return registry_state.events_of_asset(conn, asset_id)

    def asset_history(self, asset_id: bytes) -> list[tuple[int, bytes]]:
        """Return the index and leaf of every event of asset *asset_id*, in log order."""
        with self._engine.connect() as conn:
            indexes = registry_state.events_of_asset(conn, asset_id)
            leaves = log_tables.leaves_at(conn, indexes)
        return [(i, leaves[i]) for i in indexes]

    def objects_of_party(self, party_id: bytes, *, role: str, kind: str) -> list[Object]:
        """Return the registry objects of *kind* in which party *party_id* now has *role*."""
        with self._engine.connect() as conn:
            return registry_state.objects_of_party(conn, party_id, role, kind)

    def indexes_for_digest(self, digest: bytes) -> list[int]:
        """Return the indexes of the entries that reference *digest*."""
        with self._engine.connect() as conn:
            return registry_state.entries_for_digest(conn, digest)

    def registry_snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Return the rows of every registry table by table name, for comparing two states."""
        with self._engine.connect() as conn:
            return registry_state.snapshot(conn)

    # Confidential particulars (kept off the log) --------------------------

    def put_confidential(self, asset_id: bytes, fields: Mapping[str, tuple[bytes, str]]) -> None:
        """Keep the salt and text of confidential particulars of *asset_id*, replacing older ones."""
        with self._engine.begin() as conn:
            for field, (salt, value) in fields.items():
                conn.execute(
                    confidential.delete().where(
                        confidential.c.asset == asset_id, confidential.c.field == field
                    )
                )
                conn.execute(
                    confidential.insert().values(
                        asset=asset_id, field=field, salt=salt, value=value
                    )
                )

    def confidential(self, asset_id: bytes) -> dict[str, tuple[bytes, str]]:
        """Return the kept salt and text of each confidential particular of *asset_id*."""
        query = select(confidential).where(confidential.c.asset == asset_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return {row.field: (bytes(row.salt), row.value) for row in rows}

    # Starting safely and once-only requests (ledger.access, the startup guards) ---

    def startup_lock(self) -> AbstractContextManager[None]:
        """Return a lock that one process at a time holds while it starts on this database."""
        return startup_lock(self._engine)

    def has_operator(self) -> bool:
        """Return whether an operator party is registered."""
        with self._engine.connect() as conn:
            return registry_state.has_operator(conn)

    def claim_request(self, token: bytes, *, expires: datetime, now: datetime) -> bool:
        """Remember *token* until *expires* and return True, or return False if it is remembered already.

        Tokens expired at *now* are forgotten first. The insert is the atomic check:
        of two processes claiming one token, exactly one gets True.
        """
        stmt = self._upsert(used_requests).values(token=token, expires_at=expires)
        # RETURNING, not rowcount: psycopg reports no rowcount for this insert.
        stmt = stmt.on_conflict_do_nothing(index_elements=["token"]).returning(
            used_requests.c.token
        )
        conn = self._engine.connect().execution_options(sqlite_immediate=True)
        with conn, conn.begin():
            conn.execute(delete(used_requests).where(used_requests.c.expires_at < now))
            return conn.execute(stmt).first() is not None

    # Backups (cli.backup) -------------------------------------------------

    def backup_to(self, path: Path) -> None:
        """Write a consistent copy of this SQLite database to the new file *path*.

        SQLite's online backup API copies the database as of one read
        transaction, committed WAL frames included, while the service goes on
        writing: in WAL mode a reader does not block the writer.
        """
        if not self.is_sqlite:
            raise LedgerError("only an SQLite database is copied by its backup API")
        if path.exists():
            raise LedgerError(f"{path} exists already; a backup is written to a new file")
        raw = self._engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            try:
                # pages=-1: the whole database in one step, so under one read snapshot.
                raw.driver_connection.backup(target, pages=-1)  # type: ignore[union-attr]
            finally:
                target.close()
        finally:
            raw.close()

    # Writes --------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """Yield a write transaction holding the log's lock; it commits when the block ends."""
        conn = self._engine.connect().execution_options(sqlite_immediate=True)
        try:
            with conn.begin():
                batch = Batch(conn, self.is_sqlite, self._recent)
                yield batch
            batch.committed()
        finally:
            conn.close()

    @property
    def _upsert(self) -> Any:
        return sqlite_insert if self.is_sqlite else pg_insert
