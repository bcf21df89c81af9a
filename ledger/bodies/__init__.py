"""The statement types this log accepts and the typed body of each one.

A statement's body is parsed once, by ``parse_body``, into the frozen model
of its type (``AssetTransfer``, ``LicenceGrant``, ...); rules, replay,
reports and questions read its attributes. The JSON object itself stays
with the statement, since its canonical bytes are what is signed and logged.

Shapes only: whether a well-formed statement is allowed, given the log
before it, is decided by ``ledger.registry``.
"""

from collections.abc import Mapping
from typing import TypeVar

from cunzheng.ledger.bodies.assets import (
    ASSET_BODIES,
    PARTICULARS,
    AccessRead,
    AssetApply,
    AssetCancel,
    AssetChange,
    AssetEvent,
    AssetPledge,
    AssetPublicize,
    AssetRegister,
    AssetRelease,
    AssetRenew,
    AssetRevoke,
    AssetTransfer,
    AssetVersion,
    OnAsset,
    Particulars,
    Scale,
)
from cunzheng.ledger.bodies.core import (
    PARTY_KINDS,
    Body,
    StatementBody,
    hex_digest,
    public_key,
    require_keys,
)
from cunzheng.ledger.bodies.evidence import EvidenceDataset, EvidenceTimestamp
from cunzheng.ledger.bodies.identifiers import REGISTRY_ID_TYPES, check_registry_id
from cunzheng.ledger.bodies.licences import (
    LICENCE_BODIES,
    LICENCE_KINDS,
    LicenceAccept,
    LicenceGrant,
    LicenceTerminate,
    OnLicence,
)
from cunzheng.ledger.bodies.objections import OBJECTION_BODIES, ObjectionDecide, ObjectionFile
from cunzheng.ledger.bodies.parties import (
    PartyAttest,
    PartyRegister,
    PartyRevokeKey,
    PartyRotateKey,
)
from cunzheng.ledger.bodies.platform import PlatformFacts
from cunzheng.ledger.bodies.settings import LogSettings, SystemFormat
from cunzheng.ledger.errors import MalformedInput

_MODELS: tuple[type[StatementBody], ...] = (
    EvidenceTimestamp,
    EvidenceDataset,
    PartyRegister,
    PartyRotateKey,
    PartyRevokeKey,
    PartyAttest,
    LogSettings,
    *ASSET_BODIES,
    *LICENCE_BODIES,
    *OBJECTION_BODIES,
)
# The statement types this log accepts, each with the model of its body.
BODY_TYPES: Mapping[str, type[StatementBody]] = {model.TYPE: model for model in _MODELS}

B = TypeVar("B", bound=StatementBody)


def parse_body(type: object, body: object) -> StatementBody:
    """Return the typed body of a statement of *type*, or raise MalformedInput saying what is wrong."""
    model = BODY_TYPES.get(type) if isinstance(type, str) else None
    if model is None:
        known = ", ".join(sorted(BODY_TYPES))
        raise MalformedInput(f"statement type {type!r} is not known; this log accepts: {known}")
    if not isinstance(body, Mapping):
        raise MalformedInput("statement body must be a JSON object")
    return model.parse(body)


def body_as(content: StatementBody, model: type[B]) -> B:
    """Return *content* as a *model*; a mismatch is a programming error (TypeError)."""
    if not isinstance(content, model):
        raise TypeError(f"a {content.TYPE} body is not a {model.__name__}")
    return content


__all__ = [
    "BODY_TYPES",
    "LICENCE_KINDS",
    "PARTICULARS",
    "PARTY_KINDS",
    "REGISTRY_ID_TYPES",
    "AccessRead",
    "AssetApply",
    "AssetCancel",
    "AssetChange",
    "AssetEvent",
    "AssetPledge",
    "AssetPublicize",
    "AssetRegister",
    "AssetRelease",
    "AssetRenew",
    "AssetRevoke",
    "AssetTransfer",
    "AssetVersion",
    "Body",
    "EvidenceDataset",
    "EvidenceTimestamp",
    "LicenceAccept",
    "LicenceGrant",
    "LicenceTerminate",
    "LogSettings",
    "ObjectionDecide",
    "ObjectionFile",
    "OnAsset",
    "OnLicence",
    "Particulars",
    "PartyAttest",
    "PartyRegister",
    "PartyRevokeKey",
    "PartyRotateKey",
    "PlatformFacts",
    "Scale",
    "StatementBody",
    "SystemFormat",
    "body_as",
    "check_registry_id",
    "hex_digest",
    "parse_body",
    "public_key",
    "require_keys",
]
