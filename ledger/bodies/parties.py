"""Bodies of party statements: registration and the life of a party's keys.

- ``party.register``: ``{"kind": ..., "name": str, "registry_id"?: str,
  "registry_id_type"?: "uscc"|"resident_id"|"foreign_company", "key": base64}``;
  the party's id is the hex SHA-256 of this statement. A typed registry id is
  checked (``ledger.bodies.identifiers``); an untyped one is a declared text.
- ``party.attest``: ``{"party": id, "name": str, "registry_id_type": ...,
  "registry_id": str}``: an exchange or the operator vouches for a party's
  name and registry id (实名核验).
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
from cunzheng.ledger.bodies.identifiers import REGISTRY_ID_TYPES, check_registry_id
from cunzheng.ledger.clock import parse_time
from cunzheng.ledger.errors import MalformedInput

_MAX_REGISTRY_ID = 64


def _required_text(body: Body, key: str, what: str, limit: int) -> str:
    value = optional_text(body, key, what, limit)
    assert value is not None, "require_keys has checked that the member is present"
    return value


def _typed_registry_id(body: Body, what: str) -> tuple[str | None, str | None]:
    """Return the registry id type and registry id of *body*, the id checked against its type."""
    registry_id = optional_text(body, "registry_id", what, _MAX_REGISTRY_ID)
    kind = body.get("registry_id_type")
    if "registry_id_type" not in body:
        return None, registry_id
    if kind not in REGISTRY_ID_TYPES:
        raise MalformedInput(
            f"{what}: registry_id_type must be one of {', '.join(REGISTRY_ID_TYPES)}"
        )
    if registry_id is None:
        raise MalformedInput(f"{what}: registry_id_type needs a registry_id")
    check_registry_id(kind, registry_id, f"{what}: registry_id")
    return kind, registry_id


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyRegister(StatementBody):
    """A party's registration: its kind, name, first key and, for an organisation, its code."""

    TYPE: ClassVar[str] = "party.register"

    kind: str
    name: str
    key: bytes
    registry_id: str | None = None
    registry_id_type: str | None = None

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of a ``party.register``, or raise MalformedInput."""
        what = "party.register body"
        require_keys(
            body,
            required={"kind", "name", "key"},
            optional={"registry_id", "registry_id_type"},
            what=what,
        )
        kind = body["kind"]
        if kind not in PARTY_KINDS:
            raise MalformedInput(f"{what}: kind must be one of {', '.join(PARTY_KINDS)}")
        name = _required_text(body, "name", what, MAX_NAME)
        id_type, registry_id = _typed_registry_id(body, what)
        key = public_key(body["key"], f"{what}: key")
        return cls(kind=kind, name=name, key=key, registry_id=registry_id, registry_id_type=id_type)


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyAttest(StatementBody):
    """实名核验: an exchange or the operator vouches for a party's name and typed registry id."""

    TYPE: ClassVar[str] = "party.attest"

    party: bytes
    name: str
    registry_id_type: str
    registry_id: str

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of a ``party.attest``, or raise MalformedInput."""
        what = "party.attest body"
        require_keys(
            body,
            required={"party", "name", "registry_id_type", "registry_id"},
            optional=set(),
            what=what,
        )
        party = hex_digest(body["party"], f"{what}: party")
        name = _required_text(body, "name", what, MAX_NAME)
        id_type, registry_id = _typed_registry_id(body, what)
        assert id_type is not None and registry_id is not None
        return cls(party=party, name=name, registry_id_type=id_type, registry_id=registry_id)

    @property
    def named_parties(self) -> tuple[bytes, ...]:
        """Return the party attested."""
        return (self.party,)


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
