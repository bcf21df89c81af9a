"""The Python client: the registry's whole procedure from the client alone, keys that never meet.

A holder, an exchange and a buyer each keep their own key; a bank (a
financial institution) and the exchange are registered by the operator.
Every statement is drafted against the client's replayed registry, travels
as a draft file, is signed by each party on its own, and is submitted only
once the rules are satisfied; the server runs on a fixed clock that the
test moves past the publicity period.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.client import AsyncClient, Client, Draft
from cunzheng.ledger.errors import InvalidSignature, NotFound, RuleViolation
from cunzheng.ledger.keyfiles import OPERATOR_KEY_FILE, read_key, submitter_key
from cunzheng.ledger.statements import sign_statement
from tests.conftest import FixedClock, LiveServer, serve_in_thread, server_settings, stop_server

PARTICULARS = {
    "name": "Traffic flows 2025",
    "industry": "transport",
    "scenario": "urban planning",
    "source": "road sensors we operate",
    "legality": "collected under our municipal licence",
    "scale": {"records": 10_000, "bytes": 1 << 20},
    "update_frequency": "daily",
    "structure": "id, sensor, time, count",
}
USCC = "91310000MA1FL1234Q"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def served(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[LiveServer]:
    """The app on a fixed clock, with the default settings (15 days of publicity)."""
    server = serve_in_thread(
        server_settings(tmp_path / "data", database_url, batch_wait_ms=1), now=clock
    )
    yield server
    stop_server(server)


def _b64(key: SigningKey) -> str:
    return base64.b64encode(bytes(key.verify_key)).decode()


def _register(
    log: Client, key: SigningKey, kind: str, name: str, by: SigningKey, **extra: str
) -> str:
    body = {"kind": kind, "name": name, "key": _b64(key), **extra}
    statement = sign_statement(type="party.register", body=body, key=by, signed_at=log._now())
    return log.submit(statement).id


def _passed(draft: Draft, *keys: SigningKey) -> Draft:
    """Return *draft* signed by each key in turn, as a file passed from one party to the next."""
    for key in keys:
        draft = Draft.from_json(draft.to_json()).sign(key)
    return draft


def test_the_whole_procedure_from_the_client_alone(served: LiveServer, clock: FixedClock) -> None:
    operator = submitter_key(read_key(served.data_dir / OPERATOR_KEY_FILE))
    holder, exchange, buyer, bank = (SigningKey.generate() for _ in range(4))
    with Client(served.url, now=clock) as log:
        _register(log, exchange, "exchange", "Shanghai Data Exchange", operator)
        _register(log, bank, "financial_institution", "Bank of Pudong", operator)
        alice = _register(
            log,
            holder,
            "rights_holder",
            "Alice Data Ltd",
            holder,
            registry_id=USCC,
            registry_id_type="uscc",
        )
        _register(log, buyer, "rights_holder", "Buyer Ltd", buyer)

        # 实名核验: the exchange attests the self-registered holder.
        attest = log.desk().attest(
            alice[:8], by="Shanghai Data Exchange", name="Alice Data Ltd", registry_id=USCC
        )
        assert log.submit(attest.sign(exchange)).status == "verified"

        # 申请: the holder applies, the exchange records; each signs on its own.
        draft = log.desk().apply(
            holder="alice data ltd",
            registrar="Shanghai Data Exchange",
            particulars=PARTICULARS,
            confidential={"processing_rules": sha("salt|rules")},
            fingerprint=sha("dataset"),
        )
        assert [(s.role, s.submitter) for s in draft.missing()] == [
            ("holder", True),
            ("registrar", False),
        ]
        with pytest.raises(InvalidSignature, match="has not signed"):
            log.submit(_passed(draft, exchange))
        size = log.info()["size"]
        with pytest.raises(RuleViolation) as refused:
            log.submit(_passed(draft, holder))
        assert refused.value.reason_code == "signature.missing_registrar"
        assert "Shanghai Data Exchange" in refused.value.detail
        assert log.info()["size"] == size  # refused here: nothing was sent
        signed = _passed(draft, exchange, holder)
        assert signed.missing() == ()
        applied = log.submit(signed)
        assert applied.status == "applied" and applied.index == size
        asset = applied.id

        desk = log.desk()
        assert desk.asset("Traffic flows 2025").id.hex() == asset
        assert desk.asset(asset[:10]).id.hex() == asset
        with pytest.raises(NotFound):
            desk.asset("no such data")

        # 公示, an objection during publicity, and the registrar's decision.
        assert log.submit(log.desk().publicize(asset).sign(exchange)).status == "publicized"
        objection = log.desk().file_objection(
            asset, by="Buyer Ltd", evidence_sha256=sha("our evidence"), grounds="we collected it"
        )
        filed = log.submit(objection.sign(buyer))
        assert filed.status == "objection pending"
        early = log.desk().register(asset, certificate="20260100310000001")
        with pytest.raises(RuleViolation) as pending:
            log.submit(early.sign(exchange))
        assert pending.value.reason_code == "asset.publicity_not_over"
        decided = log.submit(log.desk().decide(filed.id[:12], outcome="dismissed").sign(exchange))
        assert decided.status == "publicized"

        # 登记, once the publicity period is over.
        clock.advance(timedelta(days=16))
        registered = log.submit(
            log.desk().register(asset, certificate="20260100310000001").sign(exchange)
        )
        assert registered.status == "registered"

        # 许可: grant by the holder, acceptance by the licensee.
        grant = log.desk().grant(
            asset,
            licensee="Buyer Ltd",
            kind="exclusive",
            scope=["analytics"],
            end=clock() + timedelta(days=365),
            fee_terms_sha256=sha("fee"),
        )
        granted = log.submit(grant.sign(holder))
        assert granted.status == "granted, awaiting acceptance"
        assert log.submit(log.desk().accept(granted.id).sign(buyer)).status == "in force"
        licensed = log.licensed(asset, party=log.desk().party("Buyer Ltd").id, purpose="analytics")
        assert licensed["answer"] == [granted.id]

        # 转让: holder, new holder and registrar.
        transfer = log.desk().transfer(asset, to="Buyer Ltd")
        assert [s.role for s in transfer.missing()] == ["holder", "registrar", "new holder"]
        transferred = log.submit(_passed(transfer, buyer, exchange, holder))
        assert transferred.status == "registered"
        assert log.desk().asset(asset).holder == log.desk().party("Buyer Ltd").id

        # 质押 to the bank and its release by the bank.
        pledge = log.desk().pledge(asset, pledgee="Bank of Pudong", terms_sha256=sha("loan"))
        assert [s.role for s in pledge.missing()] == ["holder", "pledgee"]
        assert log.submit(_passed(pledge, bank, buyer)).status == "registered, pledged"
        assert log.submit(log.desk().release(asset).sign(bank)).status == "registered"

        # 续展 and 注销, by the holder (now the buyer) with the registrar.
        renewed = log.submit(_passed(log.desk().renew(asset), exchange, buyer))
        assert renewed.status == "registered"
        cancelled = log.submit(_passed(log.desk().cancel(asset), exchange, buyer))
        assert cancelled.status == "cancelled"

        history = log.history(asset)
        assert history["answer"]["status"] == "cancelled"
        assert len(history["bundle"]["entries"]) >= 12
        assert log.receipts(sha("dataset"))[0]["index"] == applied.index


def test_the_async_client_drafts_and_submits_the_same(
    served: LiveServer, clock: FixedClock
) -> None:
    operator = submitter_key(read_key(served.data_dir / OPERATOR_KEY_FILE))
    holder, exchange = SigningKey.generate(), SigningKey.generate()

    async def walk() -> None:
        async with AsyncClient(served.url, now=clock) as log:
            for key, kind, name, by in (
                (exchange, "exchange", "Exchange", operator),
                (holder, "rights_holder", "Holder", holder),
            ):
                body = {"kind": kind, "name": name, "key": _b64(key)}
                await log.submit(
                    sign_statement(type="party.register", body=body, key=by, signed_at=clock())
                )
            desk = await log.desk()
            draft = desk.apply(
                holder="Holder",
                registrar="Exchange",
                particulars={**PARTICULARS, "processing_rules": "none"},
                fingerprint=sha("async dataset"),
            )
            with pytest.raises(RuleViolation) as refused:
                await log.submit(draft.sign(holder))
            assert refused.value.reason_code == "signature.missing_registrar"
            applied = await log.submit(_passed(draft, holder, exchange))
            assert applied.status == "applied"
            publicize = (await log.desk()).publicize(applied.id).sign(exchange)
            publicized = await log.submit(publicize)
            assert publicized.status == "publicized"
            again = await log.submit(publicize)  # found in the log, not logged twice
            assert (again.id, again.index) == (publicized.id, publicized.index)
            answer = await log.history(applied.id)
            assert answer["answer"]["status"] == "publicized"
            with pytest.raises(NotFound):
                await log.history("00" * 32)

    asyncio.run(walk())
