"""What a reader may ask of the store: every read by name, and no way to write.

``Store`` satisfies ``ReadOnlyStore``; the log's reader, the court's
questions and the bundle builder take it, so that code holding one cannot
write to the log or the registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from cunzheng.ledger.registry import KeyRecord, Party, Policy
from cunzheng.ledger.registry.state import Asset, Object
from cunzheng.ledger.store.index_tables import IndexSnapshot
from cunzheng.ledger.store.log_tables import CheckpointEvidence, EntryRow, Head


class ReadOnlyStore(Protocol):
    """The reads of ``Store``: the log's records and the registry's state."""

    def head(self) -> Head:
        """Return the size and root of the latest checkpoint."""
        ...

    def latest_checkpoint(self) -> str | None:
        """Return the signed note of the latest checkpoint, or None before the first."""
        ...

    def latest_checkpoint_time(self) -> tuple[int, datetime] | None:
        """Return the size of the latest checkpoint and when it was signed, or None before the first."""
        ...

    def checkpoint_evidence(self, size: int | None = None) -> CheckpointEvidence | None:
        """Return the evidence kept about the checkpoint of *size* (default: the latest that has any)."""
        ...

    def checkpoint_at(self, size: int) -> str | None:
        """Return the signed note of the checkpoint of *size*, if the log signed one."""
        ...

    def index_snapshot(self, after: int) -> IndexSnapshot:
        """Return the head, its checkpoint and the index leaves changed after tree size *after*, read at one moment."""
        ...

    def first_checkpoint_evidence_covering(self, index: int) -> CheckpointEvidence | None:
        """Return the evidence of the first checkpoint holding entry *index* that has tokens or cosignatures."""
        ...

    def read_tiles(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Return the stored data of the hash tiles *keys* (level, index) that exist."""
        ...

    def leaves(self, start: int, stop: int) -> list[bytes]:
        """Return the leaves with indexes in [start, stop), in order."""
        ...

    def leaves_at(self, indexes: Sequence[int]) -> dict[int, bytes]:
        """Return the leaves at *indexes*, by index."""
        ...

    def entry(self, index: int) -> EntryRow | None:
        """Return the entry at *index*, if logged."""
        ...

    def entry_by_leaf_hash(self, leaf_hash: bytes) -> EntryRow | None:
        """Return the entry whose leaf hashes to *leaf_hash*, if logged."""
        ...

    def find_statements(self, hashes: Sequence[bytes]) -> dict[bytes, EntryRow]:
        """Return the logged entries among statement hashes *hashes*, by hash."""
        ...

    def key_record(self, key: bytes) -> KeyRecord | None:
        """Return the record of a party's key, if registered."""
        ...

    def party(self, party_id: bytes) -> Party | None:
        """Return the registered party *party_id*, if any."""
        ...

    def party_keys(self, party_id: bytes) -> list[KeyRecord]:
        """Return every key party *party_id* has had, oldest first."""
        ...

    def log_settings(self) -> Policy | None:
        """Return the registry settings of the latest log.settings entry, or None if there is none."""
        ...

    def log_settings_indexes(self) -> list[int]:
        """Return the indexes of every log.settings entry, in log order."""
        ...

    def asset(self, asset_id: bytes) -> Asset:
        """Return the registered asset *asset_id*; NotFound if there is none."""
        ...

    def events_of_asset(self, asset_id: bytes) -> list[int]:
        """Return the indexes of the entries that are events of asset *asset_id*, in log order."""
        ...

    def asset_history(self, asset_id: bytes) -> list[tuple[int, bytes]]:
        """Return the index and leaf of every event of asset *asset_id*, in log order."""
        ...

    def objects_of_party(self, party_id: bytes, *, role: str, kind: str) -> list[Object]:
        """Return the registry objects of *kind* in which party *party_id* now has *role*."""
        ...

    def indexes_for_digest(self, digest: bytes) -> list[int]:
        """Return the indexes of the entries that reference *digest*."""
        ...

    # Starting safely (the startup guards) ---------------------------------

    def has_operator(self) -> bool:
        """Return whether an operator party is registered."""
        ...
