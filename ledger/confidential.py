"""Confidential particulars: plain text kept off the log, shown only to the holder and courts.

The log holds a salted commitment, SHA-256(salt || UTF-8 text), for each
confidential particular of an asset (``confidential`` in ``asset.apply`` and
``asset.change``). The holder deposits the salt and text; the server accepts
them only if they match the asset's latest commitment. A read by the holder
or a court is itself logged, as an ``access.read`` statement signed by the
operator, before the text is returned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from cunzheng.ledger.bodies import AssetApply, AssetChange
from cunzheng.ledger.clock import utc_now
from cunzheng.ledger.committed import Logged
from cunzheng.ledger.errors import InvalidProof, RuleViolation
from cunzheng.ledger.keyfiles import submitter_key
from cunzheng.ledger.note import Signer
from cunzheng.ledger.sequencer import Sequencer
from cunzheng.ledger.statements import parse_leaf, sign_statement
from cunzheng.ledger.store import ReadOnlyStore, Store

READERS = ("court",)  # besides the holder itself


def commitments(store: ReadOnlyStore, asset_id: bytes) -> dict[str, bytes]:
    """Return the asset's latest commitment for each confidential particular."""
    found: dict[str, bytes] = {}
    for _, leaf in store.asset_history(asset_id):
        content = parse_leaf(leaf)[0].content
        if isinstance(content, AssetApply | AssetChange):
            found.update(content.confidential)
    return found


def _party(store: ReadOnlyStore, key: bytes, moment: datetime) -> bytes:
    record = store.key_record(key)
    if record is None or not record.valid_at(moment):
        raise RuleViolation(
            "key.unknown", "the request is signed by a key that is not a current party key"
        )
    return record.party


class ConfidentialParticulars:
    """The deposit and the logged reading of confidential particulars."""

    def __init__(self, store: Store, sequencer: Sequencer, operator: Signer) -> None:
        self._store = store
        self._sequencer = sequencer
        self._operator = operator

    def deposit(
        self, asset_id: bytes, key: bytes, fields: Mapping[str, tuple[bytes, str]]
    ) -> list[str]:
        """Keep the holder's confidential particulars after checking them against the log's commitments."""
        store = self._store
        asset = store.asset(asset_id)
        if _party(store, key, utc_now()) != asset.holder:
            raise RuleViolation(
                "access.not_holder", "only the asset's holder deposits its confidential particulars"
            )
        committed = commitments(store, asset_id)
        for field, (salt, value) in fields.items():
            if field not in committed:
                raise InvalidProof(
                    f"the log holds no commitment to a confidential {field} of this asset"
                )
            if hashlib.sha256(salt + value.encode()).digest() != committed[field]:
                raise InvalidProof(
                    f"{field}: SHA-256(salt || text) does not match the commitment in the log"
                )
        store.put_confidential(asset_id, fields)
        return sorted(fields)

    def read(self, asset_id: bytes, key: bytes) -> tuple[dict[str, tuple[bytes, str]], Logged]:
        """Return the confidential particulars to the holder or a court, after logging the read."""
        store = self._store
        asset = store.asset(asset_id)
        reader = _party(store, key, utc_now())
        party = store.party(reader)
        if reader != asset.holder and (party is None or party.kind not in READERS):
            raise RuleViolation(
                "access.denied",
                "confidential particulars are shown only to the holder and to courts",
            )
        fields = store.confidential(asset_id)
        statement = sign_statement(
            type="access.read",
            body={
                "reader": reader.hex(),
                "asset": asset_id.hex(),
                "fields": sorted(fields) or ["none"],
            },
            key=submitter_key(self._operator),
            signed_at=utc_now(),
        )
        return fields, self._sequencer.add(statement).result()
