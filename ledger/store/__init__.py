"""Persistence of the log (SQLAlchemy 2.0): SQLite by default, PostgreSQL by URL."""

from cunzheng.ledger.store.repository import (
    Batch,
    CheckpointEvidence,
    EntryRow,
    Head,
    Store,
    connect,
)

__all__ = ["Batch", "CheckpointEvidence", "EntryRow", "Head", "Store", "connect"]
