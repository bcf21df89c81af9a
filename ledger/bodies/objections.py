"""Bodies of objections (异议): filed by any registered party, decided by the registrar.

An objection is filed against an asset without joining its chain; the
registrar's decision on it is an event in the asset's chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from cunzheng.ledger.bodies.assets import EVENT, AssetEvent, OnAsset
from cunzheng.ledger.bodies.core import Convert, StatementBody, identifier, one_of, text

OUTCOMES = ("upheld", "dismissed")
EFFECTS = ("suspend", "cancel")


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectionFile(OnAsset):
    """异议: an objection to an asset, with its grounds and the digest of its evidence."""

    TYPE: ClassVar[str] = "objection.file"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {
        "asset": identifier,
        "evidence_sha256": identifier,
        "grounds": text(2000),
    }

    evidence_sha256: bytes
    grounds: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectionDecide(AssetEvent):
    """The registrar's decision on an objection; an upheld one suspends or (*effect* cancel) revokes."""

    TYPE: ClassVar[str] = "objection.decide"
    REQUIRED: ClassVar[Mapping[str, Convert]] = {
        **EVENT,
        "objection": identifier,
        "outcome": one_of(*OUTCOMES),
    }
    OPTIONAL: ClassVar[Mapping[str, Convert]] = {"effect": one_of(*EFFECTS)}

    objection: bytes
    outcome: str
    effect: str | None = None


OBJECTION_BODIES: tuple[type[StatementBody], ...] = (ObjectionFile, ObjectionDecide)
