"""A small world for registry tests: parties with keys, a clock, and statement builders."""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.bodies.assets import PARTICULARS
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.log import Log
from cunzheng.ledger.registry.state import Asset
from cunzheng.ledger.statements import Statement, cosign, sign_statement

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(eq=False)
class Actor:
    """A party of the world: its key and, once registered, its id."""

    name: str
    kind: str
    key: SigningKey = field(default_factory=SigningKey.generate)
    id: bytes = b""

    @property
    def hex(self) -> str:
        return self.id.hex()

    def registration(self, signer: Actor | None = None) -> Statement:
        body = {
            "kind": self.kind,
            "name": self.name,
            "key": base64.b64encode(bytes(self.key.verify_key)).decode(),
        }
        statement = sign(signer or self, "party.register", body)
        self.id = statement.hash
        return statement


def sign(
    actor: Actor, type_: str, body: dict[str, Any], *cosigners: Actor, at: datetime = T0
) -> Statement:
    """Return the statement of *type_* signed by *actor* and cosigned by *cosigners*."""
    statement = sign_statement(type=type_, body=body, key=actor.key, signed_at=at)
    for other in dict.fromkeys(c for c in cosigners if c is not actor):
        statement = cosign(statement, other.key)
    return statement


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def application(holder: Actor, registrar: Actor, name: str = "Traffic flows 2025") -> Statement:
    """Return an asset application by *holder* recorded by *registrar*."""
    particulars: dict[str, Any] = {
        p: f"{p} of {name}" for p in PARTICULARS if p not in ("scale", "processing_rules")
    }
    particulars["name"] = name
    particulars["scale"] = {"records": 10_000, "bytes": 1 << 20}
    body = {
        "registrar": registrar.hex,
        "system": "shanghai-data-ip",
        "particulars": particulars,
        "confidential": {"processing_rules": digest("salt|rules of " + name)},
        "fingerprint": digest("dataset " + name),
    }
    return sign(holder, "asset.apply", body, registrar)


def event(
    actor: Actor, type_: str, asset: bytes, prev: bytes, *cosigners: Actor, **body: Any
) -> Statement:
    """Return an event of *type_* on *asset* after *prev*."""
    return sign(actor, type_, {"asset": asset.hex(), "prev": prev.hex(), **body}, *cosigners)


def when(moment: datetime) -> str:
    return format_time(moment)


_SERIALS = itertools.count(1)


def certificate(moment: datetime = T0) -> str:
    """Return a new CNIPA-style 17-digit certificate number: year, month, registrar code, serial."""
    return f"{moment:%Y%m}0031{next(_SERIALS):07d}"


class World:
    """Operator, an exchange (registrar), a holder, a buyer, a bank (a financial institution) and a court."""

    def __init__(self, log: Log, clock: Clock) -> None:
        self.log, self.clock = log, clock
        self.operator = Actor("Operator", "operator")
        self.exchange = Actor("Shanghai Data Exchange", "exchange")
        self.holder = Actor("Holder Ltd", "rights_holder")
        self.buyer = Actor("Buyer Ltd", "rights_holder")
        self.bank = Actor("Bank", "financial_institution")
        self.court = Actor("Court", "court")
        self.ok(self.operator.registration())
        for actor in (self.exchange, self.court, self.bank):
            self.ok(actor.registration(self.operator))
        for actor in (self.holder, self.buyer):
            self.ok(actor.registration())

    def ok(self, statement: Statement) -> Statement:
        self.log.add(statement).result()
        return statement

    def refused(self, statement: Statement, code: str) -> None:
        with pytest.raises(RuleViolation) as info:
            self.log.add(statement).result()
        assert info.value.reason_code == code, info.value.message

    def asset(self, asset_id: bytes) -> Asset:
        return self.log.store.asset(asset_id)

    def registered_asset(self) -> Asset:
        apply = self.ok(application(self.holder, self.exchange))
        until = self.clock.now + timedelta(days=15)
        pub = self.ok(
            event(self.exchange, "asset.publicize", apply.hash, apply.hash, until=when(until))
        )
        self.clock.advance(days=15)
        expires = self.clock.now + timedelta(days=3 * 365)
        self.ok(
            event(
                self.exchange,
                "asset.register",
                apply.hash,
                pub.hash,
                certificate=certificate(self.clock.now),
                expires=when(expires),
            )
        )
        return self.asset(apply.hash)
