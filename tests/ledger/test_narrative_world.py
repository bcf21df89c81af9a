"""Bundles that tell a whole story, for the narrative's tests in Python and in the browser's JavaScript.

One log: the operator declares its platform's facts in ``log.settings``; an
exchange registers an asset for a holder whose identity it attests; the
holder licenses it exclusively to a buyer, who accepts; pledges it to a
bank, which releases it; transfers it to the buyer; and stamps a contract
and a dataset. ``python -m tests.ledger.test_narrative_world`` prints each
case (bundle, report JSON without texts, narrative) as one JSON list, which
``tests/web/narrative.test.js`` compares with its own narrative.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger import merkle
from cunzheng.ledger.answers import answer_json
from cunzheng.ledger.bodies import LicenceGrant, body_as
from cunzheng.ledger.bodies.identifiers import uscc_check_character
from cunzheng.ledger.bundles import build_answer_bundle, build_bundle
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.cosignature import (
    CosignatureSigner,
    WitnessPolicy,
    checkpoint_body,
    cosign,
)
from cunzheng.ledger.disclosure import disclose_record
from cunzheng.ledger.fingerprint import dataset_body, record_digest, record_leaf
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.publisher import Publisher
from cunzheng.ledger.questions import licences_on
from cunzheng.ledger.statements import Statement, parse_leaf
from cunzheng.ledger.store import Store
from cunzheng.ledger.tsa import TimeStampAuthority, local_identity
from cunzheng.ledger.verify import Report, bundle_json, parse_bundle, report_json, verify_bundle
from cunzheng.ledger.verify.narrative import narrative_json
from cunzheng.schemas.bundles import Bundle, BundleRequest
from cunzheng.schemas.fingerprints import Manifest
from cunzheng.schemas.questions import Question
from tests.conftest import FixedClock, evidence, registration
from tests.ledger.registry_world import Actor, Clock, World, digest, event, sign, when

TSA_POLICY = "2.25.263737314945060897510708092574744900752.1"
CONTRACT = b"the licence contract, signed on 5 January"
RECORDS = [b'{"road": "G2", "cars": 120}', b'{"road": "S20", "cars": "?"}']
CREDIT_CODE = "91310000MA1K0000" + "0"
PLATFORM = {
    "operator_name": "上海存证科技有限公司",
    "blockchain_filing": "沪网信备31010000000001号",
    "security_level": 3,
    "tsa_status": "test",
    "neutrality": "本平台不是任何争议的当事人。",
}


def _code() -> str:
    return CREDIT_CODE[:17] + uscc_check_character(CREDIT_CODE[:17])


@dataclass(frozen=True)
class Case:
    """A bundle, what verifying it with the log key gave, and the SHA-256 of each file presented with it."""

    name: str
    bundle: bytes
    report: Report
    files: dict[str, bytes]
    log_key: str
    tsa_roots: tuple[bytes, ...] = ()
    witnesses: WitnessPolicy | None = None


def _settings(w: World) -> Statement:
    body = {
        "publicity_days": 15,
        "term_days": 3 * 365,
        "systems": {"shanghai-data-ip": {"certificate": r"\d{17}"}},
        "platform": {**PLATFORM, "credit_code": _code()},
    }
    return w.ok(sign(w.operator, "log.settings", body))


def _attested_holder(w: World) -> Actor:
    """Register a rights holder with its credit code and have the exchange attest it (实名核验)."""
    holder = Actor("数据持有有限公司", "rights_holder")
    body = {
        "kind": "rights_holder",
        "name": holder.name,
        "registry_id_type": "uscc",
        "registry_id": _code(),
        "key": base64.b64encode(bytes(holder.key.verify_key)).decode(),
    }
    holder.id = w.ok(sign(holder, "party.register", body)).hash
    attest = {"party": holder.hex, "name": holder.name, "registry_id_type": "uscc"}
    w.ok(sign(w.exchange, "party.attest", {**attest, "registry_id": _code()}))
    return holder


def _manifest() -> Manifest:
    digests = [record_digest(r, None) for r in RECORDS]
    leaves = [merkle.leaf_hash(record_leaf(i, d)) for i, d in enumerate(digests)]
    root = merkle.root_from_leaf_hashes(leaves)
    return Manifest(
        kind="records", record_format="jsonl", records=digests, count=len(RECORDS), root=root
    )


def story(w: World) -> dict[str, int]:
    """Play the story on *w*'s log; return the index of each event by name."""
    at: dict[str, int] = {}

    def ok(name: str, statement: Statement) -> Statement:
        w.ok(statement)
        at[name] = w.log.store.find_statements([statement.hash])[statement.hash].index
        return statement

    _settings(w)
    w.holder = _attested_holder(w)
    asset = w.registered_asset()
    start = w.clock.now
    grant = ok(
        "grant",
        event(
            w.holder,
            "licence.grant",
            asset.id,
            asset.last_event,
            licensee=w.buyer.hex,
            kind="exclusive",
            scope=["analytics", "navigation"],
            territory=["CN-31"],
            start=when(start),
            end=when(start + timedelta(days=365)),
            sublicensing=False,
            fee_terms_sha256=digest("fee"),
        ),
    )
    ok("accept", sign(w.buyer, "licence.accept", {"licence": grant.hash.hex()}))
    last = grant.hash
    pledge = event(
        w.holder,
        "asset.pledge",
        asset.id,
        last,
        w.bank,
        pledgee=w.bank.hex,
        terms_sha256=digest("loan"),
    )
    last = ok("pledge", pledge).hash
    last = ok("release", event(w.bank, "asset.release", asset.id, last)).hash
    transfer = event(
        w.holder, "asset.transfer", asset.id, last, w.buyer, w.exchange, to=w.buyer.hex
    )
    ok("transfer", transfer)
    contract = {"sha256": hashlib.sha256(CONTRACT).hexdigest(), "media_type": "text/plain"}
    ok("contract", sign(w.holder, "evidence.timestamp", contract))
    ok("dataset", sign(w.holder, "evidence.dataset", dataset_body(_manifest())))
    return at


def cases(w: World, at: dict[str, int]) -> list[Case]:
    """Return the story's bundles, verified with the log key and the contract presented."""
    files = {"contract.txt": hashlib.sha256(CONTRACT).digest()}
    whole = build_bundle(
        w.log, BundleRequest(indexes=[at["transfer"], at["contract"], at["dataset"]])
    )
    disclosed = whole.model_copy(
        update={"disclosures": [disclose_record(_manifest(), 1, RECORDS[1])]}
    )
    licence = build_bundle(w.log, BundleRequest(indexes=[at["accept"]]))
    out = []
    for name, bundle, presented in (
        ("whole story", disclosed, files),
        ("licence", licence, {}),
        ("licensed answer", _licensed(w, at), {}),
    ):
        data = bundle_json(bundle)
        key = w.log.signer.verifier()
        report = verify_bundle(data, log_key=key, files=presented)
        out.append(Case(name, data, report, presented, key.to_string()))
    return out


def _licensed(w: World, at: dict[str, int]) -> Bundle:
    """Return the bundle that answers whether the buyer was licensed for analytics, with the answer."""
    (grant,) = w.log.store.leaves_at([at["grant"]]).values()
    asset = body_as(parse_leaf(grant)[0].content, LicenceGrant).asset
    moment = w.clock.now
    answer = licences_on(w.log.store, asset, w.buyer.id, "analytics", moment)
    question = Question(
        kind="licensed",
        asset=asset.hex(),
        party=w.buyer.hex,
        purpose="analytics",
        at=format_time(moment),
    )
    return build_answer_bundle(w.log, question, answer_json(answer.value), answer.indexes)


def _publish(log: Log, tsa: TimeStampAuthority, witnesses: tuple[CosignatureSigner, ...]) -> None:
    """Time-stamp the latest checkpoint and have every witness cosign it."""
    Publisher(log.store, proof_fn=log.consistency_proof, tsa=tsa).publish_latest()
    latest = log.store.latest_checkpoint_row()
    assert latest is not None
    size, note = latest
    kept = log.store.checkpoint_evidence(size)
    assert kept is not None
    body = checkpoint_body(note)
    cosigned = note + "".join(cosign(body, w, at=tsa._now()) for w in witnesses)
    log.store.put_checkpoint_evidence(size, tokens=kept.tokens, cosigned=cosigned)


def stamped(path: Path) -> Case:
    """Return a bundle of two evidence entries, each time-stamped and cosigned seconds after it was logged."""
    # Real time: the local TSA's certificates are valid from a minute ago.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=250_000))
    store = Store.open(f"sqlite:///{path / 'stamped.db'}")
    log = Log(store, Signer.generate("test.example/log"), batch_wait=0.001, now=clock).start()
    tsa = TimeStampAuthority(local_identity(path / "tsa-home"), policy=TSA_POLICY, now=clock)
    witnesses = tuple(CosignatureSigner.generate(f"witness.example/w{n}") for n in (1, 2))
    holder = SigningKey.generate()
    try:
        log.add(registration(holder, name="Stamping Ltd")).result()
        indexes = []
        for n in (1, 2):
            indexes.append(log.add(evidence(holder, n)).result().index)
            clock.advance(timedelta(seconds=2))
            _publish(log, tsa, witnesses)
            clock.advance(timedelta(days=1))
        data = bundle_json(build_bundle(log, BundleRequest(indexes=indexes)))
        roots = ((path / "tsa-home" / "tsa" / "ca.pem").read_bytes(),)
        policy = WitnessPolicy([w.verifier() for w in witnesses], 2)
        key = log.signer.verifier()
        report = verify_bundle(data, log_key=key, tsa_roots=roots, witnesses=policy)
        return Case("time-stamped", data, report, {}, key.to_string(), roots, policy)
    finally:
        log.stop()
        store.close()


def open_world(path: Path) -> tuple[World, Store]:
    """Return a registry world on a new log in *path*, and its store to close."""
    store = Store.open(f"sqlite:///{path / 'narrative.db'}")
    clock = Clock()
    log = Log(
        store, Signer.generate("test.example/log"), batch_size=32, batch_wait=0.001, now=clock
    )
    return World(log.start(), clock), store


@pytest.fixture(scope="module")
def story_cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Case]]:
    w, store = open_world(tmp_path_factory.mktemp("narrative"))
    try:
        yield cases(w, story(w))
    finally:
        w.log.stop()
        store.close()


def test_the_story_verifies(story_cases: list[Case], tmp_path: Path) -> None:
    for case in (*story_cases, stamped(tmp_path)):
        assert case.report.ok, [c.reason for c in case.report.failed()]


def case_json(case: Case) -> dict[str, Any]:
    """Return a case as the JavaScript test reads it: the bundle, how to verify it, the report without texts, the narrative."""
    checks = report_json(case.report)
    for check in checks["checks"]:
        del check["text"]
    narrative = narrative_json(parse_bundle(case.bundle), case.report)
    return {
        "name": case.name,
        "bundle": case.bundle.decode(),
        "log_key": case.log_key,
        "files": {name: digest.hex() for name, digest in case.files.items()},
        "tsa_roots": [root.decode() for root in case.tsa_roots],
        "witnesses": None
        if case.witnesses is None
        else {
            "keys": [w.to_string() for w in case.witnesses.witnesses],
            "threshold": case.witnesses.threshold,
        },
        "report": checks,
        "narrative": narrative,
    }


def altered(case: Case, w: World) -> Case:
    """Return *case* with the buyer's registered name changed after signing: its registration fails."""
    bundle = json.loads(case.bundle)
    for entry in bundle["entries"]:
        if entry["statement"]["body"].get("name") == w.buyer.name:
            entry["statement"]["body"]["name"] = "Seller Ltd"
    data = json.dumps(bundle, indent=2).encode()
    report = verify_bundle(data, log_key=w.log.signer.verifier())
    return Case("altered registration", data, report, {}, case.log_key)


def main() -> None:
    """Print every case of the story, one altered and one time-stamped, as one JSON list."""
    with tempfile.TemporaryDirectory() as tmp:
        w, store = open_world(Path(tmp))
        try:
            told = cases(w, story(w))
            printed = [case_json(c) for c in (*told, altered(told[0], w), stamped(Path(tmp)))]
        finally:
            w.log.stop()
            store.close()
    json.dump(printed, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
