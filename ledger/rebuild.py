"""Rebuild: the registry's tables replayed from the log, entry 0 on.

The database is a cache of the log. ``rebuild`` empties the registry's tables
and replays every leaf through the same rules the sequencer applied, at the
``logged_at`` each leaf records, inside one transaction that holds the log's
lock. A leaf the rules refuse on replay means the cache and the log disagree
about the rules; the rebuild stops and says which entry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select

from cunzheng.ledger import registry
from cunzheng.ledger.errors import LedgerError, RuleViolation
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.statements import parse_leaf
from cunzheng.ledger.store import Store
from cunzheng.ledger.store.tables import (
    asset_events,
    digests,
    entries,
    object_parties,
    parties,
    party_keys,
    registry_objects,
)

STATE_TABLES = (parties, party_keys, digests, registry_objects, asset_events, object_parties)
CHUNK = 5000


def rebuild(store: Store, *, policy: Policy = registry.rules.DEFAULT_POLICY) -> int:
    """Replay the whole log into empty registry tables; return the number of entries replayed."""
    with store.batch() as batch:
        conn = batch.connection
        for table in STATE_TABLES:
            conn.execute(delete(table))
        replayed = 0
        while True:
            rows = conn.execute(
                select(entries.c.idx, entries.c.leaf)
                .where(entries.c.idx >= replayed)
                .order_by(entries.c.idx)
                .limit(CHUNK)
            ).all()
            if not rows:
                return replayed
            view = batch.registry_view()
            for row in rows:
                statement, logged_at = parse_leaf(bytes(row.leaf))
                try:
                    effects = registry.check(
                        statement, index=row.idx, logged_at=logged_at, view=view, policy=policy
                    )
                except RuleViolation as e:
                    raise LedgerError(
                        f"entry {row.idx} is refused on replay: {e.message}"
                    ) from None
                view.apply(effects, row.idx)
            view.save()
            replayed = rows[-1].idx + 1


def snapshot(conn: Connection) -> dict[str, Any]:
    """Return the content of every registry table, for comparing two states."""
    return {
        table.name: sorted(tuple(row) for row in conn.execute(select(table)))
        for table in STATE_TABLES
    }
