"""Long random histories against a simple reference model, and a rebuild that reproduces them.

A history is generated step by step: each step picks an event of the pilots'
procedure on a random asset or licence, and sometimes spoils it on purpose
(a stale ``prev``, a missing cosigner, the wrong signer). The reference model
below predicts, with a few lines per event, whether the event is allowed and
if not which reason code the rules must give; the real rules run on
``MemoryRegistry``. After every step the two states must agree. The same
history then runs through the sequencer on a database, and ``rebuild``
replays it from entry 0 into empty tables: the tables must come out equal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.rebuild import rebuild
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.registry.state import Asset, Licence
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.store import Store
from tests.ledger.registry_world import (
    T0,
    Actor,
    Clock,
    application,
    certificate,
    digest,
    event,
    sign,
    when,
)

POLICY = Policy()


@dataclass
class ModelAsset:
    holder: Actor
    status: str = "applied"
    last: bytes = b""
    until: datetime | None = None
    expires: datetime | None = None
    pledgee: Actor | None = None
    pending: list[bytes] = field(default_factory=list)

    def status_at(self, now: datetime) -> str:
        if self.status == "registered" and self.expires is not None and now >= self.expires:
            return "expired"
        return self.status


@dataclass
class ModelLicence:
    asset: bytes
    licensor: Actor
    licensee: Actor
    exclusive: bool
    scope: str
    start: datetime
    end: datetime
    accepted: bool = False
    ended: datetime | None = None


class History:
    """Generates one step at a time and knows what the reference model expects of it."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.now = T0
        self.operator = Actor("Operator", "operator")
        self.exchange = Actor("Exchange", "exchange")
        self.people = [Actor(f"Holder {i}", "rights_holder") for i in range(4)]
        self.bank = Actor("Bank", "financial_institution")
        self.assets: dict[bytes, ModelAsset] = {}
        self.licences: dict[bytes, ModelLicence] = {}

    def setup(self) -> list[Statement]:
        return [
            self.operator.registration(),
            self.exchange.registration(self.operator),
            self.bank.registration(self.operator),
            *[p.registration() for p in self.people],
        ]

    def step(self) -> tuple[Statement, str | None, object]:
        """Return a statement, the reason code the model expects (None: allowed) and how to apply it."""
        self.now += timedelta(days=self.rnd.choice([0, 0, 1, 5, 16, 200]))
        makers = [
            self._apply,
            self._publicize,
            self._register,
            self._transfer,
            self._pledge,
            self._release,
            self._grant,
            self._accept,
            self._terminate,
            self._object,
            self._decide,
            self._cancel,
        ]
        if not self.assets:
            return self._apply()
        return self.rnd.choice(makers)()

    # Each maker returns (statement, expected code, model update to run if allowed).

    def _pick(self, *likely: str) -> tuple[bytes, ModelAsset]:
        """Return a random asset, most often one whose status is among *likely*."""
        fitting = [a for a, m in self.assets.items() if m.status_at(self.now) in likely]
        asset_id = self.rnd.choice(
            fitting if fitting and self.rnd.random() < 0.85 else list(self.assets)
        )
        return asset_id, self.assets[asset_id]

    def _spoil_prev(self, asset: ModelAsset) -> tuple[bytes, str | None]:
        if self.rnd.random() < 0.15:
            return digest("not the last event " + str(self.rnd.random())).encode()[
                :32
            ], "asset.stale_prev"
        return asset.last, None

    def _status(self, asset: ModelAsset, *allowed: str) -> str | None:
        return None if asset.status_at(self.now) in allowed else "asset.wrong_status"

    def _apply(self) -> tuple[Statement, str | None, object]:
        holder = self.rnd.choice(self.people)
        statement = application(holder, self.exchange, name=f"dataset {self.rnd.random()}")
        if self.rnd.random() < 0.1:
            statement = sign(holder, "asset.apply", statement.to_json()["body"])
            return statement, "signature.missing_registrar", None

        def update() -> None:
            self.assets[statement.hash] = ModelAsset(holder, last=statement.hash)

        return statement, None, update

    def _publicize(self) -> tuple[Statement, str | None, object]:
        asset_id, asset = self._pick("applied")
        prev, code = self._spoil_prev(asset)
        until = self.now + timedelta(days=self.rnd.choice([15, 20, 3]))
        statement = event(self.exchange, "asset.publicize", asset_id, prev, until=when(until))
        code = code or self._status(asset, "applied")
        if code is None and until < self.now + POLICY.publicity:
            code = "asset.publicity_too_short"
        return (
            statement,
            code,
            lambda: self._move(asset, statement, status="publicized", until=until),
        )

    def _register(self) -> tuple[Statement, str | None, object]:
        asset_id, asset = self._pick("publicized")
        prev, code = self._spoil_prev(asset)
        expires = self.now + timedelta(days=3 * 365)
        statement = event(
            self.exchange,
            "asset.register",
            asset_id,
            prev,
            certificate=certificate(),
            expires=when(expires),
        )
        code = code or self._status(asset, "publicized")
        if code is None and asset.until is not None and self.now < asset.until:
            code = "asset.publicity_not_over"
        if code is None and asset.pending:
            code = "asset.objection_pending"
        return (
            statement,
            code,
            lambda: self._move(asset, statement, status="registered", expires=expires),
        )

    def _transfer(self) -> tuple[Statement, str | None, object]:
        asset_id, asset = self._pick("registered")
        prev, code = self._spoil_prev(asset)
        to = self.rnd.choice([p for p in self.people if p is not asset.holder])
        cosigners = [to, self.exchange] + (
            [asset.pledgee] if asset.pledgee and self.rnd.random() < 0.5 else []
        )
        statement = event(asset.holder, "asset.transfer", asset_id, prev, *cosigners, to=to.hex)
        code = code or self._status(asset, "registered")
        if code is None and asset.pledgee not in (None, asset.holder, *cosigners):
            code = "asset.pledged"
        return statement, code, lambda: self._move(asset, statement, holder=to)

    def _pledge(self) -> tuple[Statement, str | None, object]:
        asset_id, asset = self._pick("registered")
        prev, code = self._spoil_prev(asset)
        bank = self.bank
        statement = event(
            asset.holder,
            "asset.pledge",
            asset_id,
            prev,
            bank,
            pledgee=bank.hex,
            terms_sha256=digest("loan"),
        )
        code = code or self._status(asset, "registered")
        if code is None and asset.pledgee is not None:
            code = "asset.already_pledged"
        return statement, code, lambda: self._move(asset, statement, pledgee=bank)

    def _release(self) -> tuple[Statement, str | None, object]:
        pledged = [a for a, m in self.assets.items() if m.pledgee is not None]
        asset_id = (
            self.rnd.choice(pledged) if pledged and self.rnd.random() < 0.85 else self._pick()[0]
        )
        asset = self.assets[asset_id]
        prev, code = self._spoil_prev(asset)
        signer = asset.pledgee or asset.holder
        statement = event(signer, "asset.release", asset_id, prev)
        if code is None and asset.pledgee is None:
            code = "asset.not_pledged"
        return statement, code, lambda: self._move(asset, statement, pledgee=None)

    def _grant(self) -> tuple[Statement, str | None, object]:
        asset_id, asset = self._pick("registered")
        prev, code = self._spoil_prev(asset)
        wrong_signer = self.rnd.random() < 0.1
        licensor = self.rnd.choice(self.people) if wrong_signer else asset.holder
        licensee = self.rnd.choice(self.people)
        exclusive = self.rnd.random() < 0.4
        cosigners = [asset.pledgee] if asset.pledgee and self.rnd.random() < 0.5 else []
        scope = self.rnd.choice(["analytics", "training"])
        start = self.now + timedelta(days=self.rnd.choice([0, 30, 400]))
        end = start + timedelta(days=self.rnd.choice([90, 365]))
        statement = event(
            licensor,
            "licence.grant",
            asset_id,
            prev,
            *cosigners,
            licensee=licensee.hex,
            kind="exclusive" if exclusive else "non_exclusive",
            scope=[scope],
            territory=["CN"],
            start=when(start),
            end=when(end),
            sublicensing=False,
            fee_terms_sha256=digest("fee"),
        )
        code = code or self._status(asset, "registered")
        if code is None and licensor is not asset.holder:
            code = "licence.not_holder"
        if code is None and exclusive and asset.pledgee not in (None, licensor, *cosigners):
            code = "asset.pledged"
        new = ModelLicence(asset_id, asset.holder, licensee, exclusive, scope, start, end)
        if code is None and any(
            self._clash(new, old) for old in self.licences.values() if old.asset == asset_id
        ):
            code = "licence.overlaps_exclusive"

        def update() -> None:
            self._move(asset, statement)
            self.licences[statement.hash] = new

        return statement, code, update

    @staticmethod
    def _clash(new: ModelLicence, old: ModelLicence) -> bool:
        old_end = min(old.end, old.ended) if old.ended else old.end
        if old.ended is not None and old.ended <= new.start:
            return False
        return (
            (new.exclusive or old.exclusive)
            and new.scope == old.scope
            and new.start < old_end
            and old.start < new.end
        )

    def _licence_step(self, kind: str) -> tuple[Statement, str | None, object]:
        if not self.licences:
            return self._apply()
        licence_id = self.rnd.choice(list(self.licences))
        licence = self.licences[licence_id]
        signer = licence.licensee if self.rnd.random() < 0.85 else self.rnd.choice(self.people)
        statement = sign(signer, kind, {"licence": licence_id.hex()})
        if kind == "licence.accept":
            code = None if signer is licence.licensee else "licence.not_licensee"
            if code is None and (licence.accepted or licence.ended):
                code = "licence.wrong_status"
            return statement, code, lambda: setattr(licence, "accepted", True)
        code = None if signer in (licence.licensee, licence.licensor) else "licence.not_party"
        if code is None and licence.ended:
            code = "licence.wrong_status"
        return statement, code, lambda: setattr(licence, "ended", self.now)

    def _accept(self) -> tuple[Statement, str | None, object]:
        return self._licence_step("licence.accept")

    def _terminate(self) -> tuple[Statement, str | None, object]:
        return self._licence_step("licence.terminate")

    def _object(self) -> tuple[Statement, str | None, object]:
        asset_id, asset = self._pick("publicized", "registered")
        filer = self.rnd.choice(self.people)
        statement = sign(
            filer,
            "objection.file",
            {
                "asset": asset_id.hex(),
                "evidence_sha256": digest(str(self.rnd.random())),
                "grounds": "ours",
            },
        )
        code = (
            None
            if asset.status_at(self.now) in ("publicized", "registered")
            else "objection.not_open"
        )
        return statement, code, lambda: asset.pending.append(statement.hash)

    def _decide(self) -> tuple[Statement, str | None, object]:
        candidates = [(a, m) for a, m in self.assets.items() if m.pending]
        if not candidates:
            return self._object()
        asset_id, asset = self.rnd.choice(candidates)
        prev, code = self._spoil_prev(asset)
        objection = asset.pending[0]
        upheld = self.rnd.random() < 0.25
        statement = event(
            self.exchange,
            "objection.decide",
            asset_id,
            prev,
            objection=objection.hex(),
            outcome="upheld" if upheld else "dismissed",
            effect="suspend",
        )

        def update() -> None:
            asset.pending.remove(objection)
            self._move(asset, statement, **({"status": "suspended"} if upheld else {}))

        return statement, code, update

    def _cancel(self) -> tuple[Statement, str | None, object]:
        asset_id, asset = self._pick("registered")
        prev, code = self._spoil_prev(asset)
        statement = event(asset.holder, "asset.cancel", asset_id, prev, self.exchange)
        code = code or self._status(asset, "applied", "publicized", "registered", "expired")
        if self.rnd.random() < 0.7:  # holders seldom cancel: keep assets alive for licences
            return self._grant()
        return statement, code, lambda: self._move(asset, statement, status="cancelled")

    @staticmethod
    def _move(asset: ModelAsset, statement: Statement, **changes: object) -> None:
        asset.last = statement.hash
        for name, value in changes.items():
            setattr(asset, name, value)


def _agree(history: History, state: MemoryRegistry) -> None:
    for asset_id, model in history.assets.items():
        asset = state.asset(asset_id)
        assert isinstance(asset, Asset)
        assert asset.status_at(history.now) == model.status_at(history.now)
        assert (asset.holder, asset.last_event) == (model.holder.id, model.last)
        assert asset.pledgee == (model.pledgee.id if model.pledgee else None)
    for licence_id, model_licence in history.licences.items():
        licence = state.licence(licence_id)
        assert isinstance(licence, Licence)
        assert (licence.accepted, licence.ended) == (model_licence.accepted, model_licence.ended)


def run_history(
    seed: int, steps: int
) -> tuple[History, list[tuple[Statement, datetime, str | None]]]:
    """Return a history of *steps* events checked against the model, and what each should give."""
    history = History(random.Random(seed))
    state = MemoryRegistry()
    record: list[tuple[Statement, datetime, str | None]] = []
    index = 0
    for statement in history.setup():
        state.add(statement, index=index, logged_at=history.now)
        record.append((statement, history.now, None))
        index += 1
    for _ in range(steps):
        statement, expected, update = history.step()
        try:
            state.add(statement, index=index, logged_at=history.now)
        except RuleViolation as e:
            assert e.reason_code == expected, (
                f"{statement.type}: expected {expected}, got {e.message}"
            )
        else:
            assert expected is None, f"{statement.type} was allowed; the model expected {expected}"
            update()  # type: ignore[operator]
            index += 1
        record.append((statement, history.now, expected))
        _agree(history, state)
    return history, record


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_random_histories_match_the_reference_model(seed: int) -> None:
    run_history(seed, 150)


def test_the_sequencer_agrees_and_a_rebuild_reproduces_the_state(
    store: Store, log_signer: Signer
) -> None:
    _, record = run_history(20261125, 250)
    clock = Clock()
    log = Log(store, log_signer, batch_size=8, batch_wait=0.0, now=clock).start()
    logged: set[bytes] = set()
    try:
        for statement, moment, expected in record:
            clock.now = moment
            future = log.add(statement)
            if expected is None or statement.hash in logged:
                # A repeat of a logged statement finds its entry instead of being judged again.
                assert future.result().existed == (statement.hash in logged)
                logged.add(statement.hash)
            else:
                with pytest.raises(RuleViolation) as info:
                    future.result()
                assert info.value.reason_code == expected
    finally:
        log.stop()
    live = store.registry_snapshot()
    assert rebuild(store) == log.size()
    assert store.registry_snapshot() == live
    assert live["registry_objects"] and live["asset_events"]
