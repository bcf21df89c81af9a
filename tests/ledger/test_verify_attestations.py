"""Independent times in bundles: RFC 3161 tokens over the checkpoint and witness cosignatures of it.

The log's checkpoint is time-stamped by a real TSA (``ledger.tsa``, the
local test CA) and cosigned by two real witness keys (``ledger.cosignature``),
kept beside the checkpoint as the publisher keeps them; bundles then carry
both, and the verifier checks them against the roots and witnesses it is
given, and only those.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.bundles import build_bundle
from cunzheng.ledger.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    WitnessPolicy,
    checkpoint_body,
    cosign,
)
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer, Verifier
from cunzheng.ledger.store import Store
from cunzheng.ledger.tsa import TimeStampAuthority, local_identity
from cunzheng.ledger.verify import (
    LANGS,
    Outcome,
    Report,
    bundle_json,
    checkpoint_imprint,
    render_text,
    text,
    verify_bundle,
)
from cunzheng.ledger.verify.narrative_time import dual_time
from cunzheng.ledger.verify.report_texts import EN
from cunzheng.schemas.bundles import BundleRequest
from tests.conftest import evidence, registration

POLICY_OID = "2.25.263737314945060897510708092574744900752.1"
COSIGNED_AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Attested:
    """A bundle whose checkpoint is time-stamped and cosigned, and what a judge needs to check it."""

    data: bytes
    log_key: Verifier
    ca: bytes
    tsa: TimeStampAuthority
    stranger: TimeStampAuthority
    witnesses: tuple[CosignatureSigner, CosignatureSigner]
    evidence_size: int
    latest: Log


@pytest.fixture(scope="module")
def attested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Attested]:
    home = tmp_path_factory.mktemp("attested")
    store = Store.open(f"sqlite:///{home / 'log.db'}")
    signer = Signer.generate("test.example/log")
    log = Log(store, signer, batch_size=64, batch_wait=0.002).start()
    holder = SigningKey.generate()
    log.add(registration(holder)).result()
    stamped = log.add(evidence(holder, 1)).result().index
    tsa = TimeStampAuthority(local_identity(home / "tsa-home"), policy=POLICY_OID)
    stranger = TimeStampAuthority(local_identity(home / "stranger"), policy=POLICY_OID)
    witnesses = (
        CosignatureSigner.generate("witness.example/w1"),
        CosignatureSigner.generate("witness.example/w2"),
    )
    note = log.checkpoint()
    size = int(note.split("\n")[1])
    body = checkpoint_body(note)
    cosigned = note + "".join(cosign(body, w, at=COSIGNED_AT) for w in witnesses)
    token = tsa.issue_for_digest(checkpoint_imprint(note))
    store.put_checkpoint_evidence(size, tokens=[token], cosigned=cosigned)
    for n in range(2, 5):
        log.add(evidence(holder, n)).result()
    bundle = build_bundle(log, BundleRequest(indexes=[stamped]))
    ca = (home / "tsa-home" / "tsa" / "ca.pem").read_bytes()
    yield Attested(bundle_json(bundle), signer.verifier(), ca, tsa, stranger, witnesses, size, log)
    log.stop()
    store.close()


def _policy(*witnesses: CosignatureSigner | CosignatureVerifier, threshold: int) -> WitnessPolicy:
    keys = [w.verifier() if isinstance(w, CosignatureSigner) else w for w in witnesses]
    return WitnessPolicy(keys, threshold)


def _verify(a: Attested, data: bytes | None = None, **kwargs: Any) -> Report:
    return verify_bundle(a.data if data is None else data, log_key=a.log_key, **kwargs)


def _by_reason(report: Report) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in report.checks:
        out.setdefault(c.reason, []).append(c.subject)
    return out


def _failed(report: Report) -> set[str]:
    return {c.reason for c in report.failed() if c.outcome is Outcome.FAILED}


def _edit(data: bytes, change: Any) -> bytes:
    obj = json.loads(data)
    change(obj)
    return json.dumps(obj, indent=2).encode()


def test_a_bundle_carries_the_tokens_and_cosignatures_of_the_latest_attested_checkpoint(
    attested: Attested,
) -> None:
    obj = json.loads(attested.data)
    assert int(obj["checkpoint"].split("\n")[1]) == attested.evidence_size
    assert attested.latest.size() > attested.evidence_size, "a later checkpoint has no evidence"
    (stamp,) = obj["timestamps"]
    assert base64.b64decode(stamp["token"])
    assert [c["witness"] for c in obj["cosignatures"]] == [
        "witness.example/w1",
        "witness.example/w2",
    ]


def test_an_entry_after_the_attested_checkpoint_is_proved_against_the_latest(
    attested: Attested,
) -> None:
    log = attested.latest
    bundle = build_bundle(log, BundleRequest(indexes=[log.size() - 1]))
    assert bundle.checkpoint == log.checkpoint()
    assert bundle.timestamps == [] and bundle.cosignatures == []
    report = verify_bundle(bundle_json(bundle), log_key=attested.log_key, tsa_roots=[attested.ca])
    assert report.ok and "timestamps.none" in report.reasons()


def test_with_the_tsa_root_and_both_witnesses_every_attestation_is_checked(
    attested: Attested,
) -> None:
    policy = _policy(*attested.witnesses, threshold=2)
    report = _verify(attested, tsa_roots=[attested.ca], witnesses=policy)
    assert report.ok, [(c.reason, c.detail) for c in report.failed()]
    reasons = _by_reason(report)
    assert reasons["timestamp.trusted"] == ["timestamp:1"]
    assert reasons["cosignature.valid"] == [
        "witness:witness.example/w1",
        "witness:witness.example/w2",
    ]
    assert reasons["witnesses.policy_met"] == ["witnesses"]
    (stamp,) = [c for c in report.checks if c.reason == "timestamp.trusted"]
    assert "NOT TRUSTED" in str(stamp.facts["tsa_subject"])  # the local test CA says so itself
    assert report.log["witness_time"] == "2026-11-25T09:30:01.000000Z", "the end of that second"
    (w1,) = [c for c in report.checks if c.subject == "witness:witness.example/w1"]
    assert (w1.facts["time"], w1.facts["bound"]) == (
        "2026-11-25T09:30:00.000000Z",
        "2026-11-25T09:30:01.000000Z",
    )
    assert report.log["tsa_time"] == stamp.facts["tsa_time"]
    en, zh = render_text(report), render_text(report, lang="zh")
    assert f"existed no later than {dual_time(str(stamp.facts['tsa_time']), 'en')}" in en
    assert "(RFC 3161, TSA" in en and "Independently of the log's clock" in en
    assert "witness witness.example/w1" in en
    assert "2026-11-25 17:30:01 (Beijing time) / 2026-11-25 09:30:01 UTC" in en
    assert "When the data was created" in en and "An independent time:" not in en
    assert "可信时间" in zh and "见证方 witness.example/w1" in zh


def test_without_roots_or_witnesses_they_are_listed_as_not_checked(attested: Attested) -> None:
    report = _verify(attested)
    assert report.ok
    checks = {c.reason: c for c in report.checks}
    token = checks["timestamp.not_checked"]
    assert token.outcome is Outcome.NOT_CHECKED and not token.required
    assert "claims TSA" in token.detail
    assert len(_by_reason(report)["cosignature.not_checked"]) == 2
    assert "tsa_time" not in report.log and "witness_time" not in report.log
    text = render_text(report)
    assert "no trusted TSA root was given" in text and "An independent time:" in text


def _with_token(a: Attested, token: bytes) -> bytes:
    return _edit(a.data, lambda o: o.update(timestamps=[{"token": _b64(token)}]))


def test_a_token_over_another_checkpoint_fails(attested: Attested) -> None:
    token = attested.tsa.issue_for_digest(checkpoint_imprint(attested.latest.checkpoint()))
    report = _verify(attested, _with_token(attested, token), tsa_roots=[attested.ca])
    assert _failed(report) == {"timestamp.other_digest", "entry_time.timestamp_failed"}
    assert "over another digest" in render_text(report)
    assert "时间戳 1 针对的是另一摘要" in render_text(report, lang="zh")


def test_a_token_from_another_ca_fails_as_untrusted(attested: Attested) -> None:
    note = json.loads(attested.data)["checkpoint"]
    token = attested.stranger.issue_for_digest(checkpoint_imprint(note))
    data = _with_token(attested, token)
    report = _verify(attested, data, tsa_roots=[attested.ca])
    assert _failed(report) == {"timestamp.untrusted", "entry_time.timestamp_failed"}
    (check,) = [c for c in report.checks if c.reason == "timestamp.untrusted"]
    assert "trusted root" in check.detail
    assert "tsa_time" not in report.log
    assert _verify(attested, data).ok, "without roots, not checked"


def test_a_token_that_is_not_one_fails_as_malformed(attested: Attested) -> None:
    report = _verify(
        attested, _with_token(attested, b"\x30\x03\x02\x01\x01"), tsa_roots=[attested.ca]
    )
    assert _failed(report) == {"timestamp.malformed", "entry_time.timestamp_failed"}


def test_a_cosignature_by_an_unnamed_witness_is_not_counted(attested: Attested) -> None:
    w1, w2 = attested.witnesses
    stranger = CosignatureSigner.generate("witness.example/w3")
    report = _verify(attested, witnesses=_policy(w1, stranger, threshold=2))
    assert _failed(report) == {"witnesses.policy_not_met", "entry_time.witnesses_failed"}
    reasons = _by_reason(report)
    assert reasons["cosignature.valid"] == ["witness:witness.example/w1"]
    assert reasons["cosignature.absent"] == ["witness:witness.example/w3"]
    assert reasons["cosignature.unnamed"] == ["witness:witness.example/w2"]
    assert "witness_time" not in report.log
    assert "not checked and not counted" in render_text(report)
    only_w2 = _edit(attested.data, lambda o: o.update(cosignatures=o["cosignatures"][1:]))
    report = _verify(attested, only_w2, witnesses=_policy(w1, threshold=1))
    assert _failed(report) == {"witnesses.policy_not_met", "entry_time.witnesses_failed"}


def test_a_threshold_not_met_fails(attested: Attested) -> None:
    w1, w2 = attested.witnesses
    w3 = CosignatureSigner.generate("witness.example/w3")
    report = _verify(attested, witnesses=_policy(w1, w2, w3, threshold=3))
    assert _failed(report) == {"witnesses.policy_not_met", "entry_time.witnesses_failed"}
    (check,) = [c for c in report.checks if c.check == "witness_policy"]
    assert (check.facts["cosigned"], check.facts["threshold"]) == (2, 3)
    assert "3 of 3 named witnesses required" in check.detail
    assert _verify(attested, witnesses=_policy(w1, w2, w3, threshold=2)).ok


def test_an_altered_cosignature_by_a_named_witness_fails(attested: Attested) -> None:
    def alter(obj: dict[str, Any]) -> None:
        raw = bytearray(base64.b64decode(obj["cosignatures"][0]["signature"]))
        raw[20] ^= 1
        obj["cosignatures"][0]["signature"] = _b64(bytes(raw))

    data = _edit(attested.data, alter)
    report = _verify(attested, data, witnesses=_policy(*attested.witnesses, threshold=1))
    assert _failed(report) == {
        "cosignature.invalid",
        "witnesses.policy_not_met",
        "entry_time.witnesses_failed",
    }
    assert _verify(attested, data).ok, "without witnesses, not checked"


def test_cosignatures_must_be_well_formed_lines_one_per_witness(attested: Attested) -> None:
    twice = _edit(attested.data, lambda o: o["cosignatures"].append(o["cosignatures"][0]))
    assert _failed(_verify(attested, twice)) == {"bundle.malformed"}
    spaced = _edit(attested.data, lambda o: o["cosignatures"][0].update(witness="w 1"))
    assert _failed(_verify(attested, spaced)) == {"bundle.malformed"}


def _flips(data: bytes, start: bytes, stop: bytes | None) -> Iterator[tuple[int, bytes]]:
    end = len(data) if stop is None else data.index(stop)
    for i in range(data.index(start), end):
        mutated = bytearray(data)
        mutated[i] ^= 1 << (i % 8)
        yield i, bytes(mutated)


def test_with_roots_and_witnesses_a_changed_bit_in_either_fails(attested: Attested) -> None:
    policy = _policy(*attested.witnesses, threshold=2)
    names = {"bundle", "timestamp", "cosignature", "witness_policy"}
    for i, mutated in _flips(attested.data, b'"timestamps"', None):
        report = _verify(attested, mutated, tsa_roots=[attested.ca], witnesses=policy)
        failed = {c.check for c in report.failed() if c.outcome is Outcome.FAILED}
        assert failed & names, f"byte {i}: {mutated[max(0, i - 30) : i + 30]!r}"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_every_reason_about_attestations_has_a_text_in_both_languages(attested: Attested) -> None:
    w1, w2 = attested.witnesses
    w3 = CosignatureSigner.generate("witness.example/w3")
    note = json.loads(attested.data)["checkpoint"]
    reports = [
        _verify(attested),
        _verify(attested, tsa_roots=[attested.ca], witnesses=_policy(w1, w3, threshold=2)),
        _verify(
            attested,
            _with_token(attested, attested.stranger.issue_for_digest(checkpoint_imprint(note))),
            tsa_roots=[attested.ca],
        ),
    ]
    for report in reports:
        for check in report.checks:
            for lang in LANGS:
                assert check.reason in EN and f"check.{check.check}" in EN
                assert "?" not in text(check.reason, lang, check.facts), (check.reason, check.facts)
            if ":" in check.subject:
                assert f"subject.{check.subject.split(':')[0]}" in EN
