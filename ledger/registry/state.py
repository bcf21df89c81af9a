"""The registry's objects: assets, licences and objections, as the log has made them.

Objects are immutable values; each allowed statement returns new versions
in its ``Effects``. ``to_doc``/``from_doc`` give their stored JSON form, so the
database can cache them and ``cunzheng rebuild`` can compare state.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Protocol, Union

from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.registry.parties import PartyView
from cunzheng.ledger.registry.policy import Policy

# Asset statuses (登记状态).
APPLIED = "applied"  # 申请
PUBLICIZED = "publicized"  # 公示
REGISTERED = "registered"  # 登记
SUSPENDED = "suspended"  # 中止 (upheld objection)
CANCELLED = "cancelled"  # 注销 (by the holder)
REVOKED = "revoked"  # 撤销 (by the registrar)


@dataclass(frozen=True)
class Asset:
    """A data asset under registration, identified by the hash of its application."""

    id: bytes
    holder: bytes
    registrar: bytes
    status: str
    last_event: bytes
    fingerprint: bytes
    index: int
    version: int = 1
    publicity_until: datetime | None = None
    certificate: str | None = None
    expires: datetime | None = None
    pledgee: bytes | None = None
    system: str | None = None
    registration_number: str | None = None

    @property
    def live(self) -> bool:
        """Return whether the asset still binds its fingerprint: not cancelled and not revoked."""
        return self.status not in (CANCELLED, REVOKED)

    def status_at(self, moment: datetime) -> str:
        """Return the status at *moment*, counting expiry (期满) as a status."""
        if self.status == REGISTERED and self.expires is not None and moment >= self.expires:
            return "expired"
        return self.status


@dataclass(frozen=True)
class Licence:
    """A licence (许可) granted by the holder of an asset."""

    id: bytes
    asset: bytes
    licensor: bytes
    licensee: bytes
    kind: str
    scope: tuple[str, ...]
    territory: tuple[str, ...]
    start: datetime
    end: datetime
    sublicensing: bool
    index: int
    accepted: bool = False
    ended: datetime | None = None

    def active_at(self, moment: datetime) -> bool:
        """Return whether the licence is in force at *moment* (accepted, within term, not ended)."""
        return (
            self.accepted
            and self.start <= moment < self.end
            and (self.ended is None or moment < self.ended)
        )

    def overlaps(self, other: Licence) -> bool:
        """Return whether the two licences cover some common use, place and time."""
        return (
            _meet(self.scope, other.scope)
            and _meet(self.territory, other.territory)
            and self.start < _until(other)
            and other.start < _until(self)
        )


@dataclass(frozen=True)
class Objection:
    """An objection (异议) to an asset's registration."""

    id: bytes
    asset: bytes
    filer: bytes
    evidence: bytes
    status: str
    index: int


Object = Union[Asset, Licence, Objection]  # noqa: UP007


class RegistryView(PartyView, Protocol):
    """The parties and registry objects the log holds before the statement being checked."""

    def asset(self, asset_id: bytes) -> Asset | None:
        """Return the asset *asset_id*, if applied for."""

    def licence(self, licence_id: bytes) -> Licence | None:
        """Return the licence *licence_id*, if granted."""

    def licences_of(self, asset_id: bytes) -> list[Licence]:
        """Return every licence granted on asset *asset_id*."""

    def objection(self, objection_id: bytes) -> Objection | None:
        """Return the objection *objection_id*, if filed."""

    def objections_of(self, asset_id: bytes) -> list[Objection]:
        """Return every objection filed against asset *asset_id*."""

    def assets_with_fingerprint(self, fingerprint: bytes) -> list[Asset]:
        """Return the assets whose current fingerprint is *fingerprint*, whatever their status."""

    def asset_with_certificate(self, certificate: str) -> Asset | None:
        """Return the asset registered under certificate number *certificate*, if any."""

    def policy(self) -> Policy:
        """Return the settings in force: the latest ``log.settings``, or the defaults before any."""


def _meet(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return "*" in a or "*" in b or bool(set(a) & set(b))


def _until(licence: Licence) -> datetime:
    return min(licence.end, licence.ended) if licence.ended is not None else licence.end


KINDS: dict[str, type[Asset] | type[Licence] | type[Objection]] = {
    "asset": Asset,
    "licence": Licence,
    "objection": Objection,
}


def kind_of_object(obj: Object) -> str:
    """Return the stored kind name of *obj*."""
    return {Asset: "asset", Licence: "licence", Objection: "objection"}[type(obj)]


def to_doc(obj: Object) -> dict[str, Any]:
    """Return *obj* as a JSON document: bytes in hex, times in RFC 3339."""
    doc: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, bytes):
            value = value.hex()
        elif isinstance(value, datetime):
            value = format_time(value)
        elif isinstance(value, tuple):
            value = list(value)
        doc[f.name] = value
    return doc


def from_doc(kind: str, doc: dict[str, Any]) -> Object:
    """Return the object of *kind* stored as *doc*."""
    cls = KINDS[kind]
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in doc:
            continue  # a member added later, stored before it existed: its default
        value = doc[f.name]
        hint = str(f.type)
        if value is not None and "bytes" in hint:
            value = bytes.fromhex(value)
        elif value is not None and "datetime" in hint:
            value = parse_time(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    return cls(**values)
