"""Persistence of the log (SQLAlchemy 2.0): SQLite by default, PostgreSQL by URL.

The only part of Cunzheng that speaks SQL. ``Store`` answers named questions
(``store.asset_history(asset)``, ``store.checkpoint_evidence(size)``) and
opens write transactions (``store.batch()``); ``ReadOnlyStore`` is its reads
alone, for code that must not write.
"""

from cunzheng.ledger.store.batch import Batch
from cunzheng.ledger.store.index_tables import IndexSnapshot
from cunzheng.ledger.store.log_tables import CheckpointEvidence, EntryRow, Head
from cunzheng.ledger.store.reads import ReadOnlyStore
from cunzheng.ledger.store.registry_view import BatchRegistry
from cunzheng.ledger.store.repository import Store

__all__ = [
    "Batch",
    "BatchRegistry",
    "CheckpointEvidence",
    "EntryRow",
    "Head",
    "IndexSnapshot",
    "ReadOnlyStore",
    "Store",
]
