"""One integration's writes: a transaction that holds the log's lock from start to commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cunzheng.ledger.store import index_tables, key_runs, log_tables, registry_state
from cunzheng.ledger.store.bulk import insert_rows
from cunzheng.ledger.store.log_tables import EntryRow
from cunzheng.ledger.store.recent import RecentStatements
from cunzheng.ledger.store.registry_view import BatchRegistry
from cunzheng.ledger.store.tables import checkpoints, log_head, tiles

# The columns of an entry row as the sequencer gives them, with their PostgreSQL types.
_ENTRY_COLUMNS = (
    ("idx", "bigint"),
    ("statement_hash", "bytea"),
    ("leaf_hash", "bytea"),
    ("leaf", "bytea"),
    ("type", "text"),
    ("signer", "bytea"),
)


class Batch:
    """The writes of one integration, all in one transaction under the log's lock."""

    def __init__(self, conn: Connection, is_sqlite: bool, recent: RecentStatements) -> None:
        self._conn = conn
        self._recent = recent
        self._added: list[tuple[bytes, int]] = []
        self._insert = sqlite_insert if is_sqlite else pg_insert
        # SQLite's BEGIN IMMEDIATE already holds the write lock; PostgreSQL locks the row.
        self.head = log_tables.head(conn, lock=not is_sqlite)

    def find_statements(self, hashes: Sequence[bytes]) -> dict[bytes, EntryRow]:
        """Return the entries already logged among *hashes*, seen under the lock.

        The process's map of the tail answers for the entries after the runs; the
        runs are asked only about hashes the process's filter cannot rule out. No
        lookup here scans rows or dirties an index page.
        """
        if not hashes:
            return {}
        runs = key_runs.runs_of(self._conn, key_runs.STATEMENT)
        self._recent.catch_up(self._conn, since=key_runs.boundary(runs), size=self.head.size)
        unique = list(set(hashes))
        in_tail = self._recent.matches(unique)
        rest = self._recent.maybe_logged(h for h in unique if h not in in_tail)
        candidates = key_runs.lookup(self._conn, runs, rest)
        for h, index in in_tail.items():
            candidates.setdefault(h, []).append(index)
        return log_tables.matching(self._conn, unique, candidates) if candidates else {}

    def read_tiles(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Return the stored hash tiles *keys* as this transaction sees them."""
        return log_tables.read_tiles(self._conn, keys)

    def leaves_from(self, start: int, *, limit: int) -> list[tuple[int, bytes]]:
        """Return the index and leaf of at most *limit* entries from index *start* on, in order."""
        return log_tables.leaves_from(self._conn, start, limit=limit)

    def checkpoint_at(self, size: int) -> str | None:
        """Return the signed note of the checkpoint of *size*, if the log signed one."""
        return log_tables.checkpoint_at(self._conn, size)

    def checkpoints_from(self, start: int, *, limit: int) -> list[tuple[int, str]]:
        """Return the size and note of at most *limit* checkpoints of size *start* or more, in order."""
        return log_tables.checkpoints_from(self._conn, start, limit=limit)

    def index_leaves_since(self, after: int) -> list[tuple[str, bytes]]:
        """Return the index leaves last changed at a tree size above *after* (every leaf for -1)."""
        return index_tables.leaves_since(self._conn, after)

    def put_index(self, leaves: Mapping[str, bytes], *, size: int) -> None:
        """Write index *leaves* as changed at tree *size*; the stored index then reflects *size*."""
        index_tables.put_leaves(self._conn, leaves, size=size)

    def clear_index(self) -> None:
        """Remove every index leaf, to replay the index from the log."""
        index_tables.clear(self._conn)

    def registry_view(self) -> BatchRegistry:
        """Return a view of the registry's state for the rules, as this transaction sees it."""
        return BatchRegistry(self._conn, self._insert)

    def clear_registry(self) -> None:
        """Empty the registry's tables, to replay them from the log."""
        registry_state.clear(self._conn)

    def add_entries(self, rows: Sequence[tuple[int, bytes, bytes, bytes, str, bytes]]) -> None:
        """Insert entries given as (idx, statement_hash, leaf_hash, leaf, type, signer) tuples."""
        if rows:
            # The driver directly: per-value processing in SQLAlchemy costs more than
            # the insert itself on the integration hot path.
            insert_rows(self._conn, "entries", _ENTRY_COLUMNS, rows)
            self._added.extend((row[1], row[0]) for row in rows)

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
        """Record the signed checkpoint *note* for *size* and move the head to it.

        The runs of hashes the log is then due are written in the same transaction.
        """
        self._conn.execute(checkpoints.insert(), [{"size": size, "note": note, "created_at": at}])
        self._conn.execute(update(log_head).where(log_head.c.id == 1).values(size=size, root=root))
        key_runs.maintain(self._conn, size)

    def keep_runs(self) -> None:
        """Write the runs of hashes the log is due at its head, if any (``ledger.store.key_runs``)."""
        key_runs.maintain(self._conn, self.head.size)

    def committed(self) -> None:
        """Tell the process's map of the tail what this batch wrote, once it has committed."""
        if self._added:
            self._recent.committed(self._added[0][1], self._added)
