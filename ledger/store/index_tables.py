"""The verifiable index's leaves as stored: each key's document and when it last changed.

The functions take a connection, so that ``Batch`` runs them inside the
sequencer's transaction, under the log's lock, and ``Store`` on a
connection of its own. ``log_head.index_size`` records the tree size the
stored leaves reflect; the sequencer moves it with the head.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update

from cunzheng.ledger.store.tables import checkpoints, index_leaves, log_head


@dataclass(frozen=True)
class IndexSnapshot:
    """The log's head as one read saw it, with the index leaves changed after a given size."""

    size: int
    index_size: int | None
    checkpoint: str | None
    leaves: list[tuple[str, bytes]]

    @property
    def built(self) -> bool:
        """Return whether the stored leaves reflect the head (else the index must be replayed)."""
        return self.index_size == self.size


def leaves_since(conn: Connection, after: int) -> list[tuple[str, bytes]]:
    """Return the key and value of every leaf last changed at a tree size above *after*."""
    query = select(index_leaves.c.key, index_leaves.c.value)
    if after >= 0:
        query = query.where(index_leaves.c.changed_at > after)
    return [(r.key, bytes(r.value)) for r in conn.execute(query)]


def put_leaves(conn: Connection, leaves: Mapping[str, bytes], *, size: int) -> None:
    """Write *leaves* as changed at tree *size*, and record that the index reflects *size*."""
    if leaves:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        # The driver directly: a registry-heavy batch writes thousands of leaves.
        conn.exec_driver_sql(
            f"INSERT INTO index_leaves (key, value, changed_at) VALUES ({mark}, {mark}, {mark}) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
            "changed_at = excluded.changed_at",
            [(key, value, size) for key, value in leaves.items()],
        )
    conn.execute(update(log_head).where(log_head.c.id == 1).values(index_size=size))


def clear(conn: Connection) -> None:
    """Remove every leaf and mark the index unbuilt."""
    conn.execute(delete(index_leaves))
    conn.execute(update(log_head).where(log_head.c.id == 1).values(index_size=None))


def snapshot(conn: Connection, after: int) -> IndexSnapshot:
    """Return the head, its checkpoint and the leaves changed after *after*, as *conn* sees them."""
    head = conn.execute(
        select(log_head.c.size, log_head.c.index_size).where(log_head.c.id == 1)
    ).one()
    note = conn.execute(select(checkpoints.c.note).where(checkpoints.c.size == head.size)).scalar()
    return IndexSnapshot(head.size, head.index_size, note, leaves_since(conn, after))
