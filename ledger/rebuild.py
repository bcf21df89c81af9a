"""Rebuild: the registry's tables replayed from the log, entry 0 on.

The database is a cache of the log. ``rebuild`` empties the registry's tables
and replays every leaf through the same rules the sequencer applied, at the
``logged_at`` each leaf records, inside one transaction that holds the log's
lock. The rules apply the log's own settings (its ``log.settings`` entries,
replayed with the rest), never the local configuration. A leaf the rules
refuse on replay means the cache and the log disagree about the rules; the
rebuild stops and says which entry.
"""

from __future__ import annotations

from cunzheng.ledger import registry
from cunzheng.ledger.errors import LedgerError, RuleViolation
from cunzheng.ledger.statements import parse_leaf
from cunzheng.ledger.store import Store

CHUNK = 5000


def rebuild(store: Store) -> int:
    """Replay the whole log into empty registry tables; return the number of entries replayed."""
    with store.batch() as batch:
        batch.clear_registry()
        replayed = 0
        while rows := batch.leaves_from(replayed, limit=CHUNK):
            view = batch.registry_view()
            for index, leaf in rows:
                statement, logged_at = parse_leaf(leaf)
                try:
                    effects = registry.check(statement, index=index, logged_at=logged_at, view=view)
                except RuleViolation as e:
                    raise LedgerError(f"entry {index} is refused on replay: {e.message}") from None
                view.apply(effects, index)
            view.save()
            replayed = rows[-1][0] + 1
        return replayed
