"""A registry-heavy workload: asset applications and licence grants, signed beforehand.

The world: an operator, one exchange (the registrar), 100 rights holders and
100 licensees, and ``ASSETS`` assets applied for, publicized and registered
before timing starts (the clock jumps over the 15-day publicity). The timed
statements alternate an application for a new asset (holder and exchange
sign; a new fingerprint) and a non-exclusive licence grant on one of the
registered assets; the grants on one asset form a chain (each names the
previous as ``prev``), so they are signed beforehand and must be integrated
in order. Every timed statement changes three or four index keys.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nacl.signing import SigningKey

from cunzheng.ledger.bodies import PARTICULARS
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.statements import Statement, cosign, sign_statement

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REGISTERED_AT = T0 + timedelta(days=16)
ASSETS = 200
PARTIES = 100


@dataclass
class BenchClock:
    """The log's clock: T0 while the world is set up, then after the publicity period."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class _Party:
    name: str
    kind: str
    key: SigningKey = field(init=False)
    id: bytes = b""

    def __post_init__(self) -> None:
        self.key = SigningKey(hashlib.sha256(f"bench party {self.name}".encode()).digest())

    def register(self, by: _Party | None = None) -> Statement:
        key = base64.b64encode(bytes(self.key.verify_key)).decode()
        body = {"kind": self.kind, "name": self.name, "key": key}
        statement = _sign(by or self, "party.register", body)
        self.id = statement.hash
        return statement


def _sign(party: _Party, type_: str, body: dict[str, Any], *cosigners: _Party) -> Statement:
    statement = sign_statement(type=type_, body=body, key=party.key, signed_at=T0)
    for other in cosigners:
        statement = cosign(statement, other.key)
    return statement


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class RegistryWorkload:
    """Statements to log untimed, in order (before and after the clock jumps), then the timed ones."""

    before: list[Statement]
    after: list[Statement]
    timed: list[Statement]


def registry_workload(n: int) -> RegistryWorkload:
    """Return the set-up statements and *n* timed ones (half applications, half licence grants)."""
    operator = _Party("Operator", "operator")
    exchange = _Party("Exchange", "exchange")
    holders = [_Party(f"Holder {i}", "rights_holder") for i in range(PARTIES)]
    licensees = [_Party(f"Licensee {i}", "rights_holder") for i in range(PARTIES)]
    before = [operator.register(), exchange.register(operator)]
    before += [p.register() for p in holders + licensees]
    registered: list[tuple[_Party, bytes]] = []
    after = []
    for i in range(ASSETS):
        holder = holders[i % PARTIES]
        apply = _application(holder, exchange, f"registered {i}")
        until = format_time(T0 + timedelta(days=15))
        publicize = _sign(
            exchange,
            "asset.publicize",
            {"asset": apply.hash.hex(), "prev": apply.hash.hex(), "until": until},
        )
        before += [apply, publicize]
        register = _sign(
            exchange,
            "asset.register",
            {
                "asset": apply.hash.hex(),
                "prev": publicize.hash.hex(),
                "certificate": f"{REGISTERED_AT:%Y%m}0031{i + 1:07d}",
                "expires": format_time(REGISTERED_AT + timedelta(days=365)),
            },
        )
        after.append(register)
        registered.append((holder, apply.hash))
    last = {asset: reg.hash for (_, asset), reg in zip(registered, after, strict=True)}
    timed = []
    for i in range(n):
        if i % 2 == 0:
            timed.append(_application(holders[i % PARTIES], exchange, f"timed {i}"))
            continue
        holder, asset = registered[(i // 2) % ASSETS]
        grant = _grant(holder, asset, last[asset], licensees[(i // 2) % PARTIES], i)
        last[asset] = grant.hash
        timed.append(grant)
    return RegistryWorkload(before, after, timed)


def _application(holder: _Party, exchange: _Party, name: str) -> Statement:
    particulars: dict[str, Any] = {p: f"{p} of {name}" for p in PARTICULARS}
    particulars["scale"] = {"records": 10_000, "bytes": 1 << 20}
    body = {
        "registrar": exchange.id.hex(),
        "system": "shanghai-data-ip",
        "particulars": particulars,
        "fingerprint": _digest("dataset " + name),
    }
    return _sign(holder, "asset.apply", body, exchange)


def _grant(holder: _Party, asset: bytes, prev: bytes, licensee: _Party, n: int) -> Statement:
    body = {
        "asset": asset.hex(),
        "prev": prev.hex(),
        "licensee": licensee.id.hex(),
        "kind": "non_exclusive",
        "scope": ["analytics"],
        "territory": ["CN-31"],
        "start": format_time(REGISTERED_AT),
        "end": format_time(REGISTERED_AT + timedelta(days=30 + n % 300)),
        "sublicensing": False,
        "fee_terms_sha256": _digest(f"fee {n}"),
    }
    return _sign(holder, "licence.grant", body)
