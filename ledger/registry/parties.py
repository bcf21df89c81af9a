"""Parties and their keys: who may sign, and from when to when.

A party (exchange, rights holder, court, witness, operator) is registered by
a ``party.register`` statement; its id is that statement's SHA-256. Each key
belongs to one party; it becomes valid when its registration or rotation is
logged and stops being valid at its ``revoked_from`` time, set by a
rotation (from the rotation on) or a revocation (from the time it names,
which may lie in the past when a key was compromised).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from cunzheng.ledger.errors import RuleViolation


@dataclass(frozen=True)
class Party:
    """A registered party; ``verified_by`` names the exchange or operator that vouched for it.

    A party the operator or an exchange registers is verified by that party at
    registration; a self-registered one is unverified (a self-declared name and
    registry id prove nothing) until a ``party.attest`` logged at
    ``verified_index``.
    """

    id: bytes
    kind: str
    name: str
    registry_id: str | None
    index: int
    registry_id_type: str | None = None
    verified_by: bytes | None = None
    verified_index: int | None = None

    @property
    def verified(self) -> bool:
        """Return whether an exchange or the operator has vouched for the party's identity."""
        return self.verified_by is not None


@dataclass(frozen=True)
class KeyRecord:
    """A party's key: logged at entry ``index``, valid until ``revoked_from`` (if set)."""

    key: bytes
    party: bytes
    index: int
    revoked_from: datetime | None = None
    revoked_index: int | None = None

    def valid_at(self, moment: datetime) -> bool:
        """Return whether the key may sign a statement logged at *moment*."""
        return self.revoked_from is None or moment < self.revoked_from

    def revoked(self, moment: datetime, index: int) -> KeyRecord:
        """Return this key revoked from *moment* on by entry *index* (or earlier, if it already was)."""
        if self.revoked_from is not None and self.revoked_from <= moment:
            return self
        return replace(self, revoked_from=moment, revoked_index=index)


class PartyView(Protocol):
    """The parties and keys the log holds before the statement being checked."""

    def key(self, key: bytes) -> KeyRecord | None:
        """Return the record of *key*, if registered."""

    def party(self, party_id: bytes) -> Party | None:
        """Return the party with id *party_id*, if registered."""

    def has_operator(self) -> bool:
        """Return whether an operator party has been registered."""

    def verified_party_with_registry_id(self, registry_id: str) -> Party | None:
        """Return the verified party whose registry id is *registry_id*, if any."""


def b64(key: bytes) -> str:
    """Return *key* in base64, as statements write keys."""
    return base64.b64encode(key).decode()


def current_key(view: PartyView, key: bytes, logged_at: datetime) -> KeyRecord:
    """Return the record of *key* if it may sign at *logged_at*, else raise RuleViolation."""
    record = view.key(key)
    if record is None:
        raise RuleViolation(
            "key.unknown",
            f"the statement is signed by key {b64(key)}, which no party has registered; "
            "register the key first (cunzheng register)",
        )
    if not record.valid_at(logged_at):
        assert record.revoked_from is not None
        raise RuleViolation(
            "key.revoked",
            f"key {b64(key)} was revoked from {record.revoked_from.isoformat()}; "
            "sign with a current key of the party",
        )
    return record


def kind_of(view: PartyView, record: KeyRecord) -> str:
    """Return the kind of the party that holds *record*."""
    party = view.party(record.party)
    return party.kind if party is not None else ""


def require_unregistered(view: PartyView, key: bytes) -> None:
    """Return None if *key* belongs to no party yet, else raise RuleViolation."""
    if view.key(key) is not None:
        raise RuleViolation(
            "key.already_registered", f"key {b64(key)} is already registered to a party"
        )


def require_party(view: PartyView, party_id: bytes) -> Party:
    """Return the party *party_id*, or raise RuleViolation if it is not registered."""
    party = view.party(party_id)
    if party is None:
        raise RuleViolation("party.unknown", f"no party has id {party_id.hex()}")
    return party
