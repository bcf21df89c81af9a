"""The logs the verifier corpus (tests.web.corpus) draws its genuine bundles and receipts from.

Each world is a real log on SQLite in a directory of its own, filled in this
process as the ledger tests fill theirs: an evidence world (a signed
contract, a dataset with a disclosed record, a receipt, a revoked key), a
timed world (the local test TSA and two witnesses time-stamp and cosign
checkpoints over a year), a registry world (an asset's history with a pledge,
answered with index proofs) and a settings world (a log on registry settings
of its own). Each returns only bytes and key strings, so the corpus can
write them out and tamper with them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nacl.signing import SigningKey

from cunzheng.ledger import merkle
from cunzheng.ledger.answers import answer_json
from cunzheng.ledger.bundles import build_answer_bundle, build_bundle
from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.cosignature import CosignatureSigner, checkpoint_body, cosign
from cunzheng.ledger.disclosure import disclose_record, disclosure_json
from cunzheng.ledger.fingerprint import dataset_body, record_digest, record_leaf
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.publisher import Publisher
from cunzheng.ledger.questions import history
from cunzheng.ledger.receipts import receipt_json
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.statements import sign_statement
from cunzheng.ledger.store import Store
from cunzheng.ledger.tsa import TimeStampAuthority, local_identity
from cunzheng.ledger.verify import bundle_json
from cunzheng.schemas.bundles import BundleRequest
from cunzheng.schemas.fingerprints import Manifest
from cunzheng.schemas.questions import Question
from tests.conftest import SIGNED_AT, FixedClock, evidence, registration
from tests.ledger.registry_world import Clock, World, application, certificate, event, sign, when

RECORDS = [b'{"row": %d, "name": "record %d"}' % (i, i) for i in range(3)] + [
    b'{"row": 3, "note": "%s"}' % (b"a long record " * 30),
    # Shown escaped: a bidi override, a line separator, a control character and a byte not UTF-8.
    b'{"row": 4, "name": "\xe2\x80\xae evil\xe2\x80\xa8 \x01 \xff"}',
]
CONTRACT = b"the contract, signed on 25 November"
REPORT = b"the audit report, stamped months later"
POLICY_OID = "2.25.263737314945060897510708092574744900752.1"


@dataclass(frozen=True)
class EvidenceWorld:
    """A contract, a dataset with record 2 disclosed, a receipt, and a bundle of them."""

    vkey: str
    origin: str
    signer: Signer
    bundle: bytes  # the contract and the dataset, with the disclosure of record 2 inside
    disclosure: bytes  # that disclosure as a file of its own
    long_disclosure: bytes  # record 3, longer than a report shows
    escaped_disclosure: bytes  # record 4, with characters a report must show escaped
    receipt: bytes  # the contract's receipt
    revoked: bytes  # a bundle of evidence by a key revoked from before it was logged


@dataclass(frozen=True)
class TimedWorld:
    """A bundle made long after its entries, time-stamped and cosigned, and what checks it."""

    vkey: str
    signer: Signer
    bundle: bytes
    ca_pem: bytes
    stranger_token: bytes  # a token over the bundle checkpoint by a TSA no root vouches for
    witnesses: tuple[str, str]  # the two witnesses' verifier keys
    stranger_witness: CosignatureSigner  # a witness no judge names
    receipt: bytes  # a receipt carrying a time-stamp token
    receipt_content: bytes


@dataclass(frozen=True)
class RegistryWorld:
    """An asset's history with a pledge, answered with its index proofs, and an absence answer."""

    vkey: str
    history: bytes
    no_fingerprint: bytes


@dataclass(frozen=True)
class SettingsWorld:
    """A log with registry settings of its own: an answer and a plain bundle carrying them."""

    vkey: str
    history: bytes
    plain: bytes


def _manifest() -> Manifest:
    digests = [record_digest(r, None) for r in RECORDS]
    root = merkle.root_from_leaf_hashes(
        [merkle.leaf_hash(record_leaf(i, d)) for i, d in enumerate(digests)]
    )
    return Manifest(
        kind="records", record_format="jsonl", records=digests, count=len(RECORDS), root=root
    )


def evidence_world(home: Path) -> EvidenceWorld:
    """Log a contract and a dataset, bundle them with the contract's receipt as an earlier checkpoint."""
    store = Store.open(f"sqlite:///{home / 'evidence.db'}")
    signer = Signer.generate("test.example/log")
    log = Log(store, signer, batch_size=64, batch_wait=0.002).start()
    try:
        holder = SigningKey.generate()
        log.add(registration(holder)).result()
        body = {"sha256": hashlib.sha256(CONTRACT).hexdigest()}
        stamp = sign_statement(
            type="evidence.timestamp", body=body, key=holder, signed_at=SIGNED_AT
        )
        receipt = log.receipt(log.add(stamp).result())
        manifest = _manifest()
        dataset = sign_statement(
            type="evidence.dataset", body=dataset_body(manifest), key=holder, signed_at=SIGNED_AT
        )
        dataset_index = log.add(dataset).result().index
        for n in range(3):
            log.add(evidence(holder, n)).result()
        bundle = build_bundle(log, BundleRequest(indexes=[dataset_index], receipts=[receipt]))
        for n in range(3, 6):
            log.add(evidence(holder, n)).result()
        disclosure = disclose_record(manifest, 2, RECORDS[2])
        data = bundle_json(bundle.model_copy(update={"disclosures": [disclosure]}))
        revoked = _revoked_bundle(log)
    finally:
        log.stop()
        store.close()
    vkey = signer.verifier().to_string()
    return EvidenceWorld(
        vkey,
        signer.name,
        signer,
        data,
        disclosure_json(disclosure),
        disclosure_json(disclose_record(manifest, 3, RECORDS[3])),
        disclosure_json(disclose_record(manifest, 4, RECORDS[4])),
        receipt_json(receipt),
        revoked,
    )


def _revoked_bundle(log: Log) -> bytes:
    """Return a bundle of evidence whose key was revoked, later, from a second before it was logged."""
    mallory = SigningKey.generate()
    log.add(registration(mallory, name="Mallory")).result()
    logged = log.add(evidence(mallory, 7)).result()
    logged_at = parse_time(json.loads(logged.leaf)["logged_at"])
    body = {
        "party": registration(mallory, name="Mallory").hash.hex(),
        "key": base64.b64encode(bytes(mallory.verify_key)).decode(),
        "from": format_time(logged_at - timedelta(seconds=1)),
    }
    revocation = sign_statement(
        type="party.revoke_key", body=body, key=mallory, signed_at=SIGNED_AT
    )
    log.add(revocation).result()
    return bundle_json(build_bundle(log, BundleRequest(indexes=[logged.index])))


def _publish(log: Log, tsa: TimeStampAuthority, witnesses: tuple[CosignatureSigner, ...]) -> None:
    """Time-stamp the latest checkpoint and have the witnesses cosign it at the TSA's time."""
    Publisher(log.store, proof_fn=log.consistency_proof, tsa=tsa).publish_latest()
    latest = log.store.latest_checkpoint_row()
    assert latest is not None
    size, note = latest
    kept = log.store.checkpoint_evidence(size)
    assert kept is not None
    at = tsa._now()
    cosigned = note + "".join(cosign(checkpoint_body(note), w, at=at) for w in witnesses)
    log.store.put_checkpoint_evidence(size, tokens=kept.tokens, cosigned=cosigned)


def timed_world(home: Path) -> TimedWorld:
    """Log entries over a year, time-stamping three checkpoints; bundle three entries at the end."""
    # Real time, not behind: the local TSA's certificates are valid from a minute ago.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=250_000))
    store = Store.open(f"sqlite:///{home / 'timed.db'}")
    signer = Signer.generate("test.example/log")
    log = Log(store, signer, batch_size=64, batch_wait=0.002, now=clock).start()
    try:
        tsa = TimeStampAuthority(local_identity(home / "tsa"), policy=POLICY_OID, now=clock)
        stranger = TimeStampAuthority(local_identity(home / "stranger"), policy=POLICY_OID)
        witnesses = (
            CosignatureSigner.generate("witness.example/w1"),
            CosignatureSigner.generate("witness.example/w2"),
        )
        holder = SigningKey.generate()
        log.add(registration(holder)).result()
        early = log.add(evidence(holder, 1)).result().index
        clock.advance(timedelta(seconds=2))
        _publish(log, tsa, witnesses)
        clock.advance(timedelta(days=1))
        later = log.add(evidence(holder, 2)).result().index
        clock.advance(timedelta(seconds=3))
        _publish(log, tsa, witnesses)
        for n in range(3, 6):
            clock.advance(timedelta(days=60))
            log.add(evidence(holder, n)).result()
        body = {"sha256": hashlib.sha256(REPORT).hexdigest()}
        stamp = sign_statement(
            type="evidence.timestamp", body=body, key=holder, signed_at=SIGNED_AT
        )
        last = log.add(stamp).result().index
        clock.advance(timedelta(days=100))
        _publish(log, tsa, witnesses)
        (receipt,) = log.receipts_for([last])
        log.add(evidence(holder, 13)).result()
        bundle = bundle_json(build_bundle(log, BundleRequest(indexes=[early, later, last])))
        note = build_bundle(log, BundleRequest(indexes=[last])).checkpoint
        stranger_token = stranger.issue_for_digest(hashlib.sha256(note.encode()).digest())
    finally:
        log.stop()
        store.close()
    ca = (home / "tsa" / "tsa" / "ca.pem").read_bytes()
    keys = (witnesses[0].verifier().to_string(), witnesses[1].verifier().to_string())
    return TimedWorld(
        signer.verifier().to_string(),
        signer,
        bundle,
        ca,
        stranger_token,
        keys,
        CosignatureSigner.generate("witness.example/w3"),
        receipt_json(receipt),
        REPORT,
    )


def _registered(w: World, name: str, *, days: int) -> tuple[bytes, Question]:
    """Apply for, publicise for *days* and register an asset held by the holder; return it and its history question."""
    apply = w.ok(application(w.holder, w.exchange, name))
    until = when(w.clock.now + timedelta(days=days))
    pub = w.ok(event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=until))
    w.clock.advance(days=days)
    expires = when(w.clock.now + timedelta(days=3 * 365))
    number = certificate(w.clock.now)
    w.ok(
        event(
            w.exchange, "asset.register", apply.hash, pub.hash, certificate=number, expires=expires
        )
    )
    return apply.hash, Question(kind="history", asset=apply.hash.hex())


def _history(w: World, question: Question) -> bytes:
    assert question.asset is not None
    answer = history(w.log.store, bytes.fromhex(question.asset))
    bundle = build_answer_bundle(w.log, question, answer_json(answer.value), answer.indexes)
    assert bundle is not None
    return bundle_json(bundle)


def _fingerprint_none(w: World, fingerprint: str) -> bytes:
    from cunzheng.ledger import questions

    def lookup(key: str) -> bytes | None:
        return w.log.index_proof(key).value

    answer = questions.fingerprint(w.log.store, lookup, bytes.fromhex(fingerprint))
    question = Question(kind="fingerprint", fingerprint=fingerprint)
    bundle = build_answer_bundle(w.log, question, answer_json(answer.value), answer.indexes)
    assert bundle is not None
    return bundle_json(bundle)


def registry_world(home: Path) -> RegistryWorld:
    """Register an asset, pledge it, and answer for its history and for an unknown fingerprint."""
    store = Store.open(f"sqlite:///{home / 'registry.db'}")
    clock = Clock()
    log = Log(
        store, Signer.generate("test.example/log"), batch_size=32, batch_wait=0.001, now=clock
    )
    w = World(log.start(), clock)
    try:
        asset, question = _registered(w, "Traffic flows 2025", days=15)
        last = w.asset(asset).last_event
        w.ok(
            event(
                w.holder,
                "asset.pledge",
                asset,
                last,
                w.bank,
                pledgee=w.bank.hex,
                terms_sha256=hashlib.sha256(b"loan").hexdigest(),
            )
        )
        data = _history(w, question)
        absent = _fingerprint_none(w, hashlib.sha256(b"no such dataset").hexdigest())
    finally:
        log.stop()
        store.close()
    return RegistryWorld(log.signer.verifier().to_string(), data, absent)


def settings_world(home: Path) -> SettingsWorld:
    """State registry settings with no publicity period, register an asset at once, and bundle it."""
    store = Store.open(f"sqlite:///{home / 'settings.db'}")
    clock = Clock()
    log = Log(
        store, Signer.generate("test.example/log"), batch_size=32, batch_wait=0.001, now=clock
    )
    w = World(log.start(), clock)
    try:
        w.ok(sign(w.operator, "log.settings", Policy(publicity=timedelta(0)).body()))
        asset, question = _registered(w, "Settings story", days=0)
        data = _history(w, question)
        register = w.log.size() - 1
        plain = bundle_json(build_bundle(w.log, BundleRequest(indexes=[register])))
    finally:
        log.stop()
        store.close()
    return SettingsWorld(log.signer.verifier().to_string(), data, plain)
