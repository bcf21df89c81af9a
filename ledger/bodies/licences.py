"""Bodies of licences (数据授权 / 许可): grant, acceptance and termination.

A grant is an event in its asset's chain; acceptance and termination name
the licence (the id of its grant) instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from cunzheng.ledger.bodies.assets import EVENT, AssetEvent
from cunzheng.ledger.bodies.core import (
    Convert,
    StatementBody,
    codes,
    flag,
    identifier,
    moment,
    one_of,
)

LICENCE_KINDS = ("exclusive", "sole", "non_exclusive")


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenceGrant(AssetEvent):
    """许可: a licence granted by the holder to *licensee*, for a scope, territory and term."""

    TYPE: ClassVar[str] = "licence.grant"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {
        **EVENT,
        "licensee": identifier,
        "kind": one_of(*LICENCE_KINDS),
        "scope": codes,
        "territory": codes,
        "start": moment,
        "end": moment,
        "sublicensing": flag,
        "fee_terms_sha256": identifier,
    }

    licensee: bytes
    kind: str
    scope: tuple[str, ...]
    territory: tuple[str, ...]
    start: datetime
    end: datetime
    sublicensing: bool
    fee_terms_sha256: bytes

    @property
    def named_parties(self) -> tuple[bytes, ...]:
        """Return the licensee."""
        return (self.licensee,)


@dataclass(frozen=True, slots=True, kw_only=True)
class OnLicence(StatementBody):
    """A body that names a licence: the id of its grant."""

    REQUIRED: ClassVar[Mapping[str, Convert]] = {"licence": identifier}

    licence: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenceAccept(OnLicence):
    """The licensee's acceptance of a licence."""

    TYPE: ClassVar[str] = "licence.accept"


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenceTerminate(OnLicence):
    """The end of a licence, by its licensor or its licensee."""

    TYPE: ClassVar[str] = "licence.terminate"


LICENCE_BODIES: tuple[type[StatementBody], ...] = (
    LicenceGrant,
    LicenceAccept,
    LicenceTerminate,
)
