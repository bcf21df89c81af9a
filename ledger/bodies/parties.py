"""Bodies of party statements: registration and the life of a party's keys.

- ``party.register``: ``{"kind": ..., "name": str, "registry_id"?: str,
  "key": base64}``; the party's id is the hex SHA-256 of this statement.
- ``party.rotate_key``: ``{"party": id, "old_key": base64, "new_key": base64}``.
- ``party.revoke_key``: ``{"party": id, "key": base64, "from": RFC 3339}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Self

from cunzheng.ledger.bodies.core import (
    MAX_NAME,
    PARTY_KINDS,
    Body,
    StatementBody,
    hex_digest,
    optional_text,
    public_key,
    require_keys,
)
from cunzheng.ledger.clock import parse_time
from cunzheng.ledger.errors import MalformedInput


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyRegister(StatementBody):
    """A party's registration: its kind, name, first key and, for an organisation, its code."""

    TYPE: ClassVar[str] = "party.register"

    kind: str
    # None only where a body spelled it null, which the shape check has always let through.
    name: str | None
    key: bytes
    registry_id: str | None = None

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of a ``party.register``, or raise MalformedInput."""
        what = "party.register body"
        require_keys(body, required={"kind", "name", "key"}, optional={"registry_id"}, what=what)
        kind = body["kind"]
        if kind not in PARTY_KINDS:
            raise MalformedInput(f"{what}: kind must be one of {', '.join(PARTY_KINDS)}")
        name = optional_text(body, "name", what, MAX_NAME)
        registry_id = optional_text(body, "registry_id", what, 64)
        key = public_key(body["key"], f"{what}: key")
        return cls(kind=kind, name=name, key=key, registry_id=registry_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyRotateKey(StatementBody):
    """The replacement of one of a party's keys by a new one."""

    TYPE: ClassVar[str] = "party.rotate_key"

    party: bytes
    old_key: bytes
    new_key: bytes

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of a ``party.rotate_key``, or raise MalformedInput."""
        what = "party.rotate_key body"
        require_keys(body, required={"party", "old_key", "new_key"}, optional=set(), what=what)
        party = hex_digest(body["party"], f"{what}: party")
        old_key = public_key(body["old_key"], f"{what}: old_key")
        new_key = public_key(body["new_key"], f"{what}: new_key")
        if old_key == new_key:
            raise MalformedInput(f"{what}: new_key must differ from old_key")
        return cls(party=party, old_key=old_key, new_key=new_key)

    @property
    def named_parties(self) -> tuple[bytes, ...]:
        """Return the party whose key changes."""
        return (self.party,)


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyRevokeKey(StatementBody):
    """The revocation of one of a party's keys from a moment on (``from`` on the wire)."""

    TYPE: ClassVar[str] = "party.revoke_key"

    party: bytes
    key: bytes
    revoked_from: datetime

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of a ``party.revoke_key``, or raise MalformedInput."""
        what = "party.revoke_key body"
        require_keys(body, required={"party", "key", "from"}, optional=set(), what=what)
        party = hex_digest(body["party"], f"{what}: party")
        key = public_key(body["key"], f"{what}: key")
        revoked_from = parse_time(body["from"], what=f"{what}: from")
        return cls(party=party, key=key, revoked_from=revoked_from)

    @property
    def named_parties(self) -> tuple[bytes, ...]:
        """Return the party whose key is revoked."""
        return (self.party,)
