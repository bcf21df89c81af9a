"""The offline bundle verifier: every check, its reason code, and the attacks it must catch.

Bundles come from a real log (``ledger.bundles``) on SQLite; attacks are
made by editing the bundle file or by signing forged checkpoints with the
log's own key, as a dishonest operator could.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger import merkle
from cunzheng.ledger.bundles import build_bundle
from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.disclosure import disclose_record, disclosure_json
from cunzheng.ledger.fingerprint import dataset_body, record_digest, record_leaf
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Checkpoint, Signer, sign_checkpoint
from cunzheng.ledger.statements import sign_statement
from cunzheng.ledger.store import Store
from cunzheng.ledger.verify import (
    LANGS,
    Outcome,
    Report,
    bundle_json,
    parse_bundle,
    render_text,
    report_json,
    text,
    verify_bundle,
)
from cunzheng.ledger.verify.report_texts import EN, ZH
from cunzheng.schemas.bundles import BundleRequest
from cunzheng.schemas.fingerprints import Manifest
from tests.conftest import SIGNED_AT, evidence, registration

RECORDS = [b'{"row": %d, "name": "record %d"}' % (i, i) for i in range(5)]


@dataclass(frozen=True)
class World:
    """A log with a holder, a timestamped file, a dataset and a bundle of them."""

    log: Log
    signer: Signer
    holder: SigningKey
    bundle: bytes
    content: bytes
    disclosure: bytes
    manifest: Manifest


def records_manifest() -> Manifest:
    digests = [record_digest(r, None) for r in RECORDS]
    root = merkle.root_from_leaf_hashes(
        [merkle.leaf_hash(record_leaf(i, d)) for i, d in enumerate(digests)]
    )
    return Manifest(
        kind="records", record_format="jsonl", records=digests, count=len(RECORDS), root=root
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('verify') / 'log.db'}")
    signer = Signer.generate("test.example/log")
    log = Log(store, signer, batch_size=64, batch_wait=0.002).start()
    holder = SigningKey.generate()
    log.add(registration(holder)).result()
    content = b"the contract, signed on 25 November"
    stamp = sign_statement(
        type="evidence.timestamp",
        body={"sha256": hashlib.sha256(content).hexdigest()},
        key=holder,
        signed_at=SIGNED_AT,
    )
    receipt = log.receipt(log.add(stamp).result())
    manifest = records_manifest()
    dataset = sign_statement(
        type="evidence.dataset", body=dataset_body(manifest), key=holder, signed_at=SIGNED_AT
    )
    dataset_index = log.add(dataset).result().index
    for n in range(3):
        log.add(evidence(holder, n)).result()
    bundle = build_bundle(log, BundleRequest(indexes=[dataset_index], receipts=[receipt]))
    for n in range(3, 8):
        log.add(evidence(holder, n)).result()
    disclosure = disclose_record(manifest, 2, RECORDS[2])
    data = bundle_json(bundle.model_copy(update={"disclosures": [disclosure]}))
    yield World(log, signer, holder, data, content, disclosure_json(disclosure), manifest)
    log.stop()
    store.close()


def failed(report: Report) -> dict[str, set[str]]:
    """Return the reason codes of the checks that failed (not those left unchecked), by check."""
    out: dict[str, set[str]] = {}
    for c in report.failed():
        if c.outcome is Outcome.FAILED:
            out.setdefault(c.check, set()).add(c.reason)
    return out


def edit(data: bytes, change: Any) -> bytes:
    obj = json.loads(data)
    change(obj)
    return json.dumps(obj, indent=2).encode()


def test_a_bundle_from_the_log_verifies(world: World) -> None:
    files = {"contract.pdf": hashlib.sha256(world.content).digest()}
    report = verify_bundle(world.bundle, log_key=world.signer.verifier(), files=files)
    assert report.ok, failed(report)
    assert {
        "bundle.well_formed",
        "log_key.given",
        "checkpoint.signed",
        "signature.valid",
        "inclusion.proved",
        "rules.allowed",
        "key.valid",
        "content.matches",
        "disclosure.proved",
        "earlier.consistent",
        "current.not_consulted",
        "timestamps.none",
        "cosignatures.none",
    } <= report.reasons()
    assert [f.type for f in report.findings] == ["evidence.timestamp", "evidence.dataset"]
    assert all(f.established for f in report.findings)
    assert report.findings[0].files == ("contract.pdf",)
    assert report.findings[1].items == ("#2",)


def test_without_a_log_key_the_report_says_the_key_came_from_the_bundle(world: World) -> None:
    report = verify_bundle(world.bundle, log_key=None)
    assert report.ok
    (check,) = [c for c in report.checks if c.check == "log_key"]
    assert (check.outcome, check.reason, check.required) == (
        Outcome.NOT_CHECKED,
        "log_key.from_bundle",
        False,
    )
    assert "internal consistency" in render_text(report, lang="en")
    assert "内部一致" in render_text(report, lang="zh")


# Which checks may name a change to each part of a bundle (besides "bundle", for any change
# that leaves the file unreadable).
FIELD_CHECKS = {
    "format": set(),
    "log": {"log_key", "checkpoint"},
    "checkpoint": {"checkpoint"},
    "entries": {"signature", "inclusion"},
    "earlier_checkpoints": {"earlier_checkpoint"},
    "disclosures": {"disclosure"},
    "timestamps": {"timestamp"},
    "cosignatures": {"cosignature", "witness_policy"},
    "claim": {"claim"},
    "index": {"settings", "completeness"},
    "timed_checkpoints": {"entry_time"},
}


def checks_naming(path: tuple[Any, ...]) -> set[str]:
    """Return the checks that may name a change at *path* of a bundle ("bundle": it became unreadable)."""
    expected = {"bundle"} | (FIELD_CHECKS.get(path[0], set()) if path else set())
    if path[:1] == ("entries",) and path[2:3] == ("statement",):
        expected |= {"key", "rules"}
    if path[:1] == ("entries",) and path[2:3] == ("timed_by",):
        expected |= {"entry_time"}
    return expected


def first_difference(a: Any, b: Any, path: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        for k in a:
            if a[k] != b[k]:
                return first_difference(a[k], b[k], (*path, k))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, (*path, i))
    return path


def test_every_single_bit_change_fails_and_names_the_check(world: World) -> None:
    key = world.signer.verifier()
    files = {"contract.pdf": hashlib.sha256(world.content).digest()}
    original = json.loads(world.bundle)
    fields_hit: set[str] = set()
    for i, bit in itertools.product(range(len(world.bundle)), range(8)):
        mutated = bytearray(world.bundle)
        mutated[i] ^= 1 << bit
        report = verify_bundle(bytes(mutated), log_key=key, files=files)
        where = f"byte {i} bit {bit}: {bytes(mutated[max(0, i - 20) : i + 20])!r}"
        assert not report.ok, where
        names = set(failed(report))
        try:
            path = first_difference(original, json.loads(mutated))
        except (ValueError, UnicodeDecodeError):
            path = ()
        expected = checks_naming(path)
        assert names & expected, f"{where}: {path} failed {names}"
        if path:
            fields_hit.add(str(path[0]))
    assert fields_hit >= {"log", "checkpoint", "entries", "earlier_checkpoints", "disclosures"}


def test_a_bundle_of_another_log_is_refused_at_the_checkpoint(world: World) -> None:
    other = Signer.generate(world.signer.name)
    report = verify_bundle(world.bundle, log_key=other.verifier())
    assert failed(report) == {
        "log_key": {"log_key.mismatch"},
        "checkpoint": {"checkpoint.not_signed"},
    }
    assert "not signed by the log key" in render_text(report)


def test_a_bundle_re_signed_by_another_key_is_refused(world: World) -> None:
    attacker = Signer.generate(world.signer.name)

    def again(note: str) -> str:
        return sign_checkpoint(Checkpoint.parse(note.split("\n\n")[0] + "\n"), attacker)

    def resign(obj: dict[str, Any]) -> None:
        obj["checkpoint"] = again(obj["checkpoint"])
        for earlier in obj["earlier_checkpoints"]:
            earlier["checkpoint"] = again(earlier["checkpoint"])
        obj["log"]["verifier_key"] = attacker.verifier().to_string()

    forged = edit(world.bundle, resign)
    assert verify_bundle(forged, log_key=None).ok, (
        "internally consistent, so only a given key tells"
    )
    report = verify_bundle(forged, log_key=world.signer.verifier())
    assert {"log_key", "checkpoint"} <= set(failed(report))


def test_a_key_revoked_before_the_evidence_was_logged_fails_the_key_check(log: Log) -> None:
    holder = SigningKey.generate()
    log.add(registration(holder, name="Mallory")).result()
    logged = log.add(evidence(holder, 7)).result()
    logged_at = json.loads(logged.leaf)["logged_at"]
    # The key leaked before the evidence was logged: its holder revokes it from then on.
    since = format_time(parse_time(logged_at) - timedelta(seconds=1))
    party = registration(holder, name="Mallory").hash.hex()
    body = {
        "party": party,
        "key": base64.b64encode(bytes(holder.verify_key)).decode(),
        "from": since,
    }
    revocation = sign_statement(type="party.revoke_key", body=body, key=holder, signed_at=SIGNED_AT)
    revoked_at = log.add(revocation).result().index
    signer: Signer = log.signer
    bundle = bundle_json(build_bundle(log, BundleRequest(indexes=[logged.index])))
    assert [e["index"] for e in json.loads(bundle)["entries"]] == [1, logged.index, revoked_at]
    report = verify_bundle(bundle, log_key=signer.verifier())
    assert failed(report) == {"key": {"key.revoked"}}
    (check,) = [c for c in report.checks if c.reason == "key.revoked"]
    assert check.facts["revoked_from"] == since and check.facts["revoked_at"] == revoked_at
    assert not report.findings[0].established
    assert "NOT established" in render_text(report)


def test_a_bundle_without_the_registration_fails_the_key_check(world: World) -> None:
    stripped = edit(world.bundle, lambda o: o["entries"].pop(0))
    report = verify_bundle(stripped, log_key=world.signer.verifier())
    assert failed(report) == {"key": {"key.unknown"}}


def _sign_forged(world: World, size: int, root: bytes) -> str:
    return sign_checkpoint(Checkpoint(world.signer.name, size, root), world.signer)


def test_an_earlier_checkpoint_with_a_forged_root_is_a_fork(world: World) -> None:
    def forge(obj: dict[str, Any]) -> None:
        earlier = obj["earlier_checkpoints"][0]
        size = int(earlier["checkpoint"].split("\n")[1])
        earlier["checkpoint"] = _sign_forged(world, size, hashlib.sha256(b"forged").digest())

    report = verify_bundle(edit(world.bundle, forge), log_key=world.signer.verifier())
    assert failed(report) == {"earlier_checkpoint": {"earlier.fork"}}
    assert "forked" in render_text(report) and "分叉" in render_text(report, lang="zh")


def test_an_earlier_checkpoint_larger_than_the_bundles_shows_a_shrunk_log(world: World) -> None:
    size = parse_bundle(world.bundle).checkpoint.split("\n")[1]

    def grow(obj: dict[str, Any]) -> None:
        obj["earlier_checkpoints"][0] = {
            "checkpoint": _sign_forged(world, int(size) + 5, hashlib.sha256(b"x").digest()),
            "consistency_proof": [],
        }

    report = verify_bundle(edit(world.bundle, grow), log_key=world.signer.verifier())
    assert failed(report) == {"earlier_checkpoint": {"earlier.shrunk"}}


def test_the_current_checkpoint_of_a_grown_log_is_consistent(world: World) -> None:
    size = int(parse_bundle(world.bundle).checkpoint.split("\n")[1])
    world.log.add(evidence(world.holder, 1000)).result()
    note = world.log.checkpoint()
    now = int(note.split("\n")[1])
    current = (note, world.log.consistency_proof(size, now))
    report = verify_bundle(world.bundle, log_key=world.signer.verifier(), current=current)
    assert report.ok and "current.consistent" in report.reasons()


@pytest.mark.parametrize(
    ("grow", "reason"),
    [(0, "current.fork"), (3, "current.fork"), (-1, "current.shrunk")],
    ids=["same-size-other-root", "larger-forked", "smaller"],
)
def test_a_forged_current_checkpoint_shows_the_fork(world: World, grow: int, reason: str) -> None:
    size = int(parse_bundle(world.bundle).checkpoint.split("\n")[1])
    note = _sign_forged(world, size + grow, hashlib.sha256(b"another history").digest())
    proof = world.log.consistency_proof(size, size + grow) if grow > 0 else []
    report = verify_bundle(world.bundle, log_key=world.signer.verifier(), current=(note, proof))
    assert failed(report) == {"current_checkpoint": {reason}}


def test_a_current_checkpoint_signed_by_another_key_is_refused(world: World) -> None:
    other = Signer.generate(world.signer.name)
    note = sign_checkpoint(Checkpoint(other.name, 1, hashlib.sha256(b"").digest()), other)
    report = verify_bundle(world.bundle, log_key=world.signer.verifier(), current=(note, []))
    assert failed(report) == {"current_checkpoint": {"current.not_signed"}}


def test_a_file_that_was_not_logged_fails_the_content_check(world: World) -> None:
    files = {"other.pdf": hashlib.sha256(b"something else").digest()}
    report = verify_bundle(world.bundle, log_key=world.signer.verifier(), files=files)
    assert failed(report) == {"content": {"content.no_match"}}


def test_disclosures_presented_apart_from_the_bundle(world: World) -> None:
    plain = edit(world.bundle, lambda o: o.update(disclosures=[]))
    key = world.signer.verifier()
    none = verify_bundle(plain, log_key=key)
    assert none.ok and "disclosure.none" in none.reasons()
    good = verify_bundle(plain, log_key=key, disclosures=[("row-2.json", world.disclosure)])
    assert good.ok and good.findings[1].items == ("#2",)
    obj = json.loads(world.disclosure)
    obj["index"] = 3
    bad = verify_bundle(plain, log_key=key, disclosures=[("row-3.json", json.dumps(obj).encode())])
    assert failed(bad) == {"disclosure": {"disclosure.failed"}}
    obj["root"] = "ab" * 32
    alien = verify_bundle(plain, log_key=key, disclosures=[("x.json", json.dumps(obj).encode())])
    assert failed(alien) == {"disclosure": {"disclosure.no_dataset"}}
    junk = verify_bundle(plain, log_key=key, disclosures=[("junk.json", b"{}")])
    assert failed(junk) == {"disclosure": {"disclosure.malformed"}}


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"[]", b'{"format": "cunzheng.bundle/v2"}', b"\xff\xfe"],
    ids=["empty", "text", "array", "other-format", "binary"],
)
def test_a_file_that_is_not_a_bundle_fails_as_malformed(data: bytes) -> None:
    report = verify_bundle(data, log_key=None)
    assert not report.ok and failed(report) == {"bundle": {"bundle.malformed"}}
    for lang in LANGS:
        assert render_text(report, lang=lang)


def test_entries_must_be_in_index_order_with_their_roles(world: World) -> None:
    swapped = edit(world.bundle, lambda o: o["entries"].reverse())
    assert failed(verify_bundle(swapped, log_key=None)) == {"bundle": {"bundle.malformed"}}
    relabelled = edit(world.bundle, lambda o: o["entries"][0].update(role="evidence"))
    assert failed(verify_bundle(relabelled, log_key=None)) == {"bundle": {"bundle.malformed"}}


def test_both_languages_have_every_text() -> None:
    assert EN.keys() == ZH.keys()
    for table in (EN, ZH):
        for template in table.values():
            assert template.strip() and "{}" not in template


def test_every_reason_the_verifier_emits_has_a_text(world: World, tmp_path: Path) -> None:
    reports = [
        verify_bundle(world.bundle, log_key=world.signer.verifier()),
        verify_bundle(world.bundle, log_key=None),
        verify_bundle(b"", log_key=None),
    ]
    for report in reports:
        for check in report.checks:
            for lang in LANGS:
                assert check.reason in EN and text(check.reason, lang, check.facts) != check.reason
                assert f"check.{check.check}" in EN
                assert "?" not in text(check.reason, lang, check.facts), (check.reason, check.facts)


def test_the_json_report_has_the_same_checks(world: World) -> None:
    report = verify_bundle(world.bundle, log_key=world.signer.verifier())
    obj = report_json(report, lang="zh")
    assert obj["ok"] is True and obj["format"] == "cunzheng.report/v1"
    assert [(c["check"], c["subject"], c["outcome"], c["reason"]) for c in obj["checks"]] == [
        (c.check, c.subject, c.outcome.value, c.reason) for c in report.checks
    ]
    assert json.loads(json.dumps(obj, ensure_ascii=False)) == obj
