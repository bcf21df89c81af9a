"""Bodies of an asset's life: application, publicity, registration and what follows.

Every event on an asset names the asset (the id of its ``asset.apply``) and
``prev``, the id of the asset's last event, so an asset's history is one
chain. Ids are the hex SHA-256 of statements; times are RFC 3339 UTC.
Confidential particulars appear only as salted SHA-256 commitments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Self

from cunzheng.ledger.bodies.core import (
    Body,
    Convert,
    StatementBody,
    codes,
    hex_digest,
    identifier,
    moment,
    parse_members,
    text,
)
from cunzheng.ledger.errors import MalformedInput

# The particulars of a registration application (登记申请) in the pilots' terms.
PARTICULARS = (
    "name",  # 数据名称
    "industry",  # 所属行业
    "scenario",  # 应用场景
    "source",  # 数据来源
    "legality",  # 合法性声明
    "scale",  # 数据规模
    "update_frequency",  # 更新频率
    "structure",  # 数据结构
    "processing_rules",  # 算法规则 / 处理规则说明
)
_PARTICULAR_TEXT = text(4000)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scale:
    """数据规模: how many records and/or bytes the data holds."""

    records: int | None = None
    byte_count: int | None = None

    @classmethod
    def parse(cls, value: Any, what: str) -> Self:
        """Return the scale written in *value*, an object with ``records`` and/or ``bytes``."""
        if not isinstance(value, Mapping) or not value or set(value) - {"records", "bytes"}:
            raise MalformedInput(f"{what} must be an object with records and/or bytes")
        for key, item in value.items():
            if not isinstance(item, int) or isinstance(item, bool) or item < 0:
                raise MalformedInput(f"{what}: {key} must be a non-negative integer")
        return cls(records=value.get("records"), byte_count=value.get("bytes"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Particulars:
    """The public particulars an application or a change states (any may be absent)."""

    name: str | None = None
    industry: str | None = None
    scenario: str | None = None
    source: str | None = None
    legality: str | None = None
    scale: Scale | None = None
    update_frequency: str | None = None
    structure: str | None = None
    processing_rules: str | None = None
    sample_sha256: bytes | None = None

    @classmethod
    def parse(cls, value: Any, what: str) -> Self:
        """Return the particulars in *value*, an object keyed by particular."""
        if not isinstance(value, Mapping):
            raise MalformedInput(f"{what} must be an object")
        unknown = set(value) - set(PARTICULARS) - {"sample_sha256"}
        if unknown:
            raise MalformedInput(f"{what} has unknown particulars: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for key, item in value.items():
            if key == "sample_sha256":
                values[key] = hex_digest(item, f"{what}: sample_sha256")
            elif key == "scale":
                values[key] = Scale.parse(item, f"{what}: scale")
            else:
                values[key] = _PARTICULAR_TEXT(item, f"{what}: {key}")
        return cls(**values)


def commitments(value: Any, what: str) -> Mapping[str, bytes]:
    """Return the salted commitment to each confidential particular named in *value*."""
    if not isinstance(value, Mapping):
        raise MalformedInput(f"{what} must be an object of commitments")
    out = {}
    for key, item in value.items():
        if key not in PARTICULARS and key != "sample_sha256":
            raise MalformedInput(f"{what}: {key} is not a particular")
        out[key] = hex_digest(item, f"{what}: {key}")
    return MappingProxyType(out)


_NO_COMMITMENTS: Mapping[str, bytes] = MappingProxyType({})


def _no_commitments() -> Mapping[str, bytes]:
    return _NO_COMMITMENTS


@dataclass(frozen=True, slots=True, kw_only=True)
class OnAsset(StatementBody):
    """A body that names the asset it concerns."""

    asset: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetEvent(OnAsset):
    """An event in an asset's chain: the asset and ``prev``, the asset's last event before it."""

    REQUIRED: ClassVar[Mapping[str, Convert]] = {"asset": identifier, "prev": identifier}

    prev: bytes


EVENT: Mapping[str, Convert] = AssetEvent.REQUIRED


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetApply(StatementBody):
    """申请: an application to register an asset; its id is this statement's hash."""

    TYPE: ClassVar[str] = "asset.apply"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {
        "registrar": identifier,
        "system": text(64),
        "particulars": Particulars.parse,
        "fingerprint": identifier,
    }
    OPTIONAL: ClassVar[Mapping[str, Convert]] = {"confidential": commitments}

    registrar: bytes
    system: str
    particulars: Particulars
    fingerprint: bytes
    confidential: Mapping[str, bytes] = field(default_factory=_no_commitments)

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of an ``asset.apply``: every particular stated, publicly or committed."""
        values = parse_members(cls, body)
        public, confidential = set(body["particulars"]), set(body.get("confidential", {}))
        missing = [p for p in PARTICULARS if p not in public | confidential]
        if missing:
            raise MalformedInput(f"asset.apply body lacks particulars: {', '.join(missing)}")
        if public & confidential:
            raise MalformedInput(
                "asset.apply body: a particular is either public or confidential, not both"
            )
        return cls(**values)

    @property
    def named_parties(self) -> tuple[bytes, ...]:
        """Return the registrar."""
        return (self.registrar,)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetChange(AssetEvent):
    """变更: a change of particulars."""

    TYPE: ClassVar[str] = "asset.change"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {**EVENT, "particulars": Particulars.parse}
    OPTIONAL: ClassVar[Mapping[str, Convert]] = {"confidential": commitments}

    particulars: Particulars
    confidential: Mapping[str, bytes] = field(default_factory=_no_commitments)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetPublicize(AssetEvent):
    """公示: the start of publicity, which runs *until*."""

    TYPE: ClassVar[str] = "asset.publicize"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {**EVENT, "until": moment}

    until: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetRegister(AssetEvent):
    """登记: registration, with its certificate number, the end of its term and a registration number."""

    TYPE: ClassVar[str] = "asset.register"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {
        **EVENT,
        "certificate": text(64),
        "expires": moment,
    }
    OPTIONAL: ClassVar[Mapping[str, Convert]] = {"registration_number": text(64)}

    certificate: str
    expires: datetime
    registration_number: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetVersion(AssetEvent):
    """A new version of the data: its new fingerprint."""

    TYPE: ClassVar[str] = "asset.version"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {**EVENT, "fingerprint": identifier}

    fingerprint: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetRenew(AssetEvent):
    """续展: renewal, to a new end of term."""

    TYPE: ClassVar[str] = "asset.renew"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {**EVENT, "expires": moment}

    expires: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetCancel(AssetEvent):
    """注销: cancellation by the holder."""

    TYPE: ClassVar[str] = "asset.cancel"


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetRevoke(AssetEvent):
    """撤销: revocation by the registrar, perhaps after an upheld *objection*."""

    TYPE: ClassVar[str] = "asset.revoke"
    OPTIONAL: ClassVar[Mapping[str, Convert]] = {"objection": identifier}

    objection: bytes | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetTransfer(AssetEvent):
    """转让: transfer to a new holder, *to*."""

    TYPE: ClassVar[str] = "asset.transfer"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {**EVENT, "to": identifier}

    to: bytes

    @property
    def named_parties(self) -> tuple[bytes, ...]:
        """Return the new holder."""
        return (self.to,)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetPledge(AssetEvent):
    """质押: a pledge to *pledgee* on terms kept off the log (their digest is logged)."""

    TYPE: ClassVar[str] = "asset.pledge"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {
        **EVENT,
        "pledgee": identifier,
        "terms_sha256": identifier,
    }

    pledgee: bytes
    terms_sha256: bytes

    @property
    def named_parties(self) -> tuple[bytes, ...]:
        """Return the pledgee."""
        return (self.pledgee,)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetRelease(AssetEvent):
    """解除质押: release of the pledge by the pledgee."""

    TYPE: ClassVar[str] = "asset.release"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRead(OnAsset):
    """A read of an asset's confidential *fields* by *reader*, logged by the operator."""

    TYPE: ClassVar[str] = "access.read"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {
        "reader": identifier,
        "asset": identifier,
        "fields": codes,
    }

    reader: bytes
    fields: tuple[str, ...]


ASSET_BODIES: tuple[type[StatementBody], ...] = (
    AssetApply,
    AssetPublicize,
    AssetRegister,
    AssetVersion,
    AssetChange,
    AssetRenew,
    AssetCancel,
    AssetRevoke,
    AssetTransfer,
    AssetPledge,
    AssetRelease,
    AccessRead,
)
