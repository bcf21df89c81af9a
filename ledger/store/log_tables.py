"""The log's own records: entries, hash tiles, checkpoints and their evidence, as values and queries.

The functions take a connection, so that ``Store`` runs them on a connection
of its own and ``Batch`` inside its transaction, under the log's lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, or_, select, tuple_

from cunzheng.ledger.encoding import decode_base64
from cunzheng.ledger.store import key_runs
from cunzheng.ledger.store.tables import checkpoint_evidence, checkpoints, entries, log_head, tiles


@dataclass(frozen=True)
class Head:
    """The size and root hash of the log's latest checkpoint, and the size its index leaves reflect."""

    size: int
    root: bytes
    index_size: int | None = None


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


def head(conn: Connection, *, lock: bool = False) -> Head:
    """Return the size and root of the latest checkpoint, locking the head row if *lock*."""
    query = select(log_head.c.size, log_head.c.root, log_head.c.index_size).where(
        log_head.c.id == 1
    )
    row = conn.execute(query.with_for_update() if lock else query).one()
    return Head(row.size, bytes(row.root), row.index_size)


def latest_checkpoint(conn: Connection) -> tuple[int, str] | None:
    """Return the size and signed note of the latest checkpoint, or None before the first."""
    row = conn.execute(
        select(checkpoints.c.size, checkpoints.c.note).order_by(checkpoints.c.size.desc()).limit(1)
    ).first()
    return None if row is None else (row.size, row.note)


def latest_checkpoint_time(conn: Connection) -> tuple[int, datetime] | None:
    """Return the size of the latest checkpoint and when it was signed, or None before the first."""
    row = conn.execute(
        select(checkpoints.c.size, checkpoints.c.created_at)
        .order_by(checkpoints.c.size.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    at = row.created_at
    # SQLite keeps the time without its zone; it was written in UTC.
    return row.size, at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def checkpoint_at(conn: Connection, size: int) -> str | None:
    """Return the signed note of the checkpoint of *size*, if the log signed one."""
    return conn.execute(select(checkpoints.c.note).where(checkpoints.c.size == size)).scalar()


def checkpoints_from(conn: Connection, start: int, *, limit: int) -> list[tuple[int, str]]:
    """Return the size and note of at most *limit* checkpoints of size *start* or more, in order."""
    rows = conn.execute(
        select(checkpoints.c.size, checkpoints.c.note)
        .where(checkpoints.c.size >= start)
        .order_by(checkpoints.c.size)
        .limit(limit)
    )
    return [(r.size, r.note) for r in rows]


def evidence_of(conn: Connection, size: int | None) -> CheckpointEvidence | None:
    """Return the evidence kept about the checkpoint of *size* (None: the latest that has any)."""
    query = select(
        checkpoints.c.size,
        checkpoints.c.note,
        checkpoint_evidence.c.tokens,
        checkpoint_evidence.c.cosigned,
    ).join(checkpoint_evidence, checkpoint_evidence.c.size == checkpoints.c.size)
    query = query.where(checkpoints.c.size == size) if size is not None else query
    row = conn.execute(query.order_by(checkpoints.c.size.desc()).limit(1)).first()
    return None if row is None else _evidence(row)


def first_evidence_covering(conn: Connection, index: int) -> CheckpointEvidence | None:
    """Return the evidence of the smallest checkpoint holding entry *index* that has tokens or cosignatures."""
    query = (
        select(
            checkpoints.c.size,
            checkpoints.c.note,
            checkpoint_evidence.c.tokens,
            checkpoint_evidence.c.cosigned,
        )
        .join(checkpoint_evidence, checkpoint_evidence.c.size == checkpoints.c.size)
        .where(
            checkpoints.c.size > index,
            # The publisher keeps a row even when every TSA and witness failed: that is no evidence.
            or_(checkpoint_evidence.c.tokens != "[]", checkpoint_evidence.c.cosigned.is_not(None)),
        )
    )
    row = conn.execute(query.order_by(checkpoints.c.size).limit(1)).first()
    return None if row is None else _evidence(row)


def _evidence(row: Any) -> CheckpointEvidence:
    tokens = tuple(decode_base64(t, what="a stored token") for t in orjson.loads(row.tokens))
    return CheckpointEvidence(row.size, row.note, tokens, row.cosigned)


def read_tiles(conn: Connection, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """Return the stored data of the hash tiles *keys* (level, index) that exist."""
    keys = list(keys)
    if not keys:
        return {}
    rows = conn.execute(
        select(tiles.c.level, tiles.c.idx, tiles.c.data).where(
            tuple_(tiles.c.level, tiles.c.idx).in_(keys)
        )
    )
    return {(r.level, r.idx): bytes(r.data) for r in rows}


def leaves(conn: Connection, start: int, stop: int) -> list[bytes]:
    """Return the leaves with indexes in [start, stop), in order."""
    rows = conn.execute(
        select(entries.c.leaf)
        .where(entries.c.idx >= start, entries.c.idx < stop)
        .order_by(entries.c.idx)
    )
    return [bytes(r.leaf) for r in rows]


def leaves_from(conn: Connection, start: int, *, limit: int) -> list[tuple[int, bytes]]:
    """Return the index and leaf of at most *limit* entries from index *start* on, in order."""
    rows = conn.execute(
        select(entries.c.idx, entries.c.leaf)
        .where(entries.c.idx >= start)
        .order_by(entries.c.idx)
        .limit(limit)
    )
    return [(r.idx, bytes(r.leaf)) for r in rows]


def leaves_at(conn: Connection, indexes: Sequence[int]) -> dict[int, bytes]:
    """Return the leaves at *indexes*, by index."""
    if not indexes:
        return {}
    query = select(entries.c.idx, entries.c.leaf).where(entries.c.idx.in_(list(indexes)))
    return {r.idx: bytes(r.leaf) for r in conn.execute(query)}


def entry_where(conn: Connection, where: Any) -> EntryRow | None:
    """Return the one entry that matches the condition *where*, if any."""
    row = conn.execute(
        select(*entries.c["idx", "statement_hash", "leaf_hash", "leaf"]).where(where)
    ).first()
    if row is None:
        return None
    return EntryRow(row.idx, bytes(row.statement_hash), bytes(row.leaf_hash), bytes(row.leaf))


def entries_at(conn: Connection, indexes: Iterable[int]) -> dict[int, EntryRow]:
    """Return the entries at *indexes* that exist, by index."""
    wanted = sorted(set(indexes))
    found: dict[int, EntryRow] = {}
    for i in range(0, len(wanted), 500):
        chunk = ", ".join(str(int(x)) for x in wanted[i : i + 500])
        # The driver directly: this runs once per batch on the hot path.
        sql = f"SELECT idx, statement_hash, leaf_hash, leaf FROM entries WHERE idx IN ({chunk})"
        for row in conn.exec_driver_sql(sql):
            found[row[0]] = EntryRow(row[0], bytes(row[1]), bytes(row[2]), bytes(row[3]))
    return found


def matching(
    conn: Connection, hashes: Iterable[bytes], candidates: dict[bytes, list[int]]
) -> dict[bytes, EntryRow]:
    """Return, for each of *hashes*, the first of its *candidates* whose statement hash is it."""
    rows = entries_at(conn, (i for indexes in candidates.values() for i in indexes))
    found: dict[bytes, EntryRow] = {}
    for h in hashes:
        for index in sorted(candidates.get(h, ())):
            row = rows.get(index)
            if row is not None and row.statement_hash == h:
                found[h] = row
                break
    return found


def find_statements(conn: Connection, hashes: Sequence[bytes]) -> dict[bytes, EntryRow]:
    """Return the logged entries among statement hashes *hashes*, by hash."""
    return matching(conn, hashes, key_runs.find(conn, key_runs.STATEMENT, list(set(hashes))))


def entry_by_leaf_hash(conn: Connection, leaf_hash: bytes) -> EntryRow | None:
    """Return the entry whose leaf hashes to *leaf_hash*, if logged."""
    indexes = key_runs.find(conn, key_runs.LEAF, [leaf_hash]).get(leaf_hash)
    row = entries_at(conn, indexes[:1]).get(indexes[0]) if indexes else None
    return row if row is not None and row.leaf_hash == leaf_hash else None
