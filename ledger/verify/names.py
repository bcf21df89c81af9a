"""Names for the ids in a court's answer, taken only from what its evidence bundle proves.

A party's id is the SHA-256 of its ``party.register`` statement and an
asset's the SHA-256 of its ``asset.apply``; ``proved_names`` reads the name
that statement states (the asset's public ``name`` particular, as the latest
proved ``asset.change`` restates it) from the bundle's entries whose
signature and inclusion in the bundle checkpoint verify. An id whose
registering entry is absent, unproved or keeps its name confidential has no
name here. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cunzheng.ledger.bodies import AssetApply, AssetChange, PartyRegister, body_as
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.statements import parse_statement
from cunzheng.ledger.verify.report import Outcome
from cunzheng.ledger.verify.verifier import parse_bundle, verify_bundle

_PROOFS = frozenset({"signature", "inclusion"})


@dataclass(frozen=True)
class Name:
    """The name an id was registered under, what it names and the entry that proves it."""

    name: str
    kind: Literal["party", "asset"]
    index: int


def proved_names(data: bytes, *, log_key: Verifier | None = None) -> dict[bytes, Name]:
    """Return the name of each party and asset registered by a proved entry of the bundle in *data*."""
    report = verify_bundle(data, log_key=log_key)
    failed = {
        c.subject for c in report.checks if c.check in _PROOFS and c.outcome is not Outcome.PASSED
    }
    passed = {c.subject for c in report.checks if c.check in _PROOFS} - failed
    names: dict[bytes, Name] = {}
    for model in parse_bundle(data).entries:
        if f"entry:{model.index}" not in passed:
            continue
        statement = parse_statement(model.statement)
        if statement.type == "party.register":
            party = body_as(statement.content, PartyRegister)
            names[statement.hash] = Name(party.name, "party", model.index)
        elif statement.type == "asset.apply":
            named = body_as(statement.content, AssetApply).particulars.name
            if named is not None:
                names[statement.hash] = Name(named, "asset", model.index)
        elif statement.type == "asset.change":
            change = body_as(statement.content, AssetChange)
            if change.particulars.name is not None:
                names[change.asset] = Name(change.particulars.name, "asset", model.index)
            elif "name" in change.confidential:
                names.pop(change.asset, None)
    return names
