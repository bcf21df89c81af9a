"""Each entry's own independent time: the evidence of the first time-stamped checkpoint that held it.

A real log on a fixed clock: the publisher (``ledger.publisher``, with the
local test TSA on the same clock) time-stamps the checkpoint that first holds
an early entry, and two witnesses cosign it; a day later another checkpoint
is time-stamped; many checkpoints follow, and a year later the bundle is
made. The early entry must still be bounded by its own checkpoint's genTime,
seconds after it was logged, and every change to that evidence must fail,
naming the entry.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.bundles import build_bundle
from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.cosignature import (
    CosignatureSigner,
    WitnessPolicy,
    checkpoint_body,
    cosign,
)
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer, Verifier
from cunzheng.ledger.publisher import Publisher
from cunzheng.ledger.store import Store
from cunzheng.ledger.tsa import TimeStampAuthority, local_identity
from cunzheng.ledger.tsa.tokens import read_token
from cunzheng.ledger.verify import (
    LANGS,
    Check,
    Outcome,
    Report,
    bundle_json,
    render_text,
    report_json,
    text,
    verify_bundle,
)
from cunzheng.ledger.verify.narrative_time import dual_time
from cunzheng.ledger.verify.report_texts import EN
from cunzheng.schemas.bundles import BundleRequest
from tests.conftest import FixedClock, evidence, registration

POLICY_OID = "2.25.263737314945060897510708092574744900752.1"
Edit = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Timed:
    """A bundle made a year after its entries, and what a judge needs to check it."""

    data: bytes
    log_key: Verifier
    ca: bytes
    policy: WitnessPolicy
    early: int  # the entry logged first, time-stamped seconds later
    later: int  # an entry time-stamped a day later
    last: int  # an entry first held by the bundle checkpoint itself
    logged_at: dict[int, datetime]
    log: Log
    tsa: TimeStampAuthority


def _publish(log: Log, tsa: TimeStampAuthority, witnesses: tuple[CosignatureSigner, ...]) -> int:
    """Time-stamp the latest checkpoint with the publisher and have the witnesses cosign it; return its size."""
    Publisher(log.store, proof_fn=log.consistency_proof, tsa=tsa).publish_latest()
    latest = log.store.latest_checkpoint_row()
    assert latest is not None
    size, note = latest
    kept = log.store.checkpoint_evidence(size)
    assert kept is not None and kept.tokens
    at = tsa._now()
    cosigned = note + "".join(cosign(checkpoint_body(note), w, at=at) for w in witnesses)
    log.store.put_checkpoint_evidence(size, tokens=kept.tokens, cosigned=cosigned)
    return size


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Timed]:
    home = tmp_path_factory.mktemp("timed")
    # Real time, not a minute behind: the local TSA's certificates are valid from a minute ago.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=250_000))
    store = Store.open(f"sqlite:///{home / 'log.db'}")
    signer = Signer.generate("test.example/log")
    log = Log(store, signer, batch_size=64, batch_wait=0.002, now=clock).start()
    tsa = TimeStampAuthority(local_identity(home / "tsa-home"), policy=POLICY_OID, now=clock)
    witnesses = (
        CosignatureSigner.generate("witness.example/w1"),
        CosignatureSigner.generate("witness.example/w2"),
    )
    holder = SigningKey.generate()
    logged_at: dict[int, datetime] = {}

    def add(n: int) -> int:
        index = log.add(evidence(holder, n)).result().index
        logged_at[index] = clock()
        return index

    log.add(registration(holder)).result()
    early = add(1)
    clock.advance(timedelta(seconds=2))
    assert _publish(log, tsa, witnesses) == early + 1
    clock.advance(timedelta(days=1))
    later = add(2)
    clock.advance(timedelta(seconds=3))
    _publish(log, tsa, witnesses)
    for n in range(3, 12):  # many later checkpoints, none time-stamped
        clock.advance(timedelta(days=30))
        add(n)
    last = add(12)
    clock.advance(timedelta(days=100))
    _publish(log, tsa, witnesses)
    add(13)  # after the last time-stamped checkpoint
    bundle = build_bundle(log, BundleRequest(indexes=[early, later, last]))
    ca = (home / "tsa-home" / "tsa" / "ca.pem").read_bytes()
    policy = WitnessPolicy([w.verifier() for w in witnesses], 2)
    data = bundle_json(bundle)
    yield Timed(data, signer.verifier(), ca, policy, early, later, last, logged_at, log, tsa)
    log.stop()
    store.close()


def _verify(t: Timed, data: bytes | None = None, *, checked: bool = True) -> Report:
    kwargs: dict[str, Any] = {"tsa_roots": [t.ca], "witnesses": t.policy} if checked else {}
    return verify_bundle(t.data if data is None else data, log_key=t.log_key, **kwargs)


def _edit(t: Timed, change: Edit) -> bytes:
    obj = json.loads(t.data)
    change(obj)
    return json.dumps(obj, indent=2).encode()


def _entry(obj: dict[str, Any], index: int) -> dict[str, Any]:
    return next(e for e in obj["entries"] if e["index"] == index)


def _time(report: Report, index: int) -> Check:
    (check,) = [
        c for c in report.checks if c.check == "entry_time" and c.subject == f"entry:{index}"
    ]
    return check


def _failed(report: Report) -> set[tuple[str, str]]:
    return {(c.reason, c.subject) for c in report.failed() if c.outcome is Outcome.FAILED}


def test_each_entry_names_the_first_time_stamped_checkpoint_that_held_it(timed: Timed) -> None:
    obj = json.loads(timed.data)
    size = int(obj["checkpoint"].split("\n")[1])
    assert size == timed.last + 1, "the bundle checkpoint is the last time-stamped one"
    assert [e["timed_by"] for e in obj["entries"]] == [
        timed.early + 1,  # the holder's registration shares the early checkpoint
        timed.early + 1,
        timed.later + 1,
        size,  # first held by the bundle checkpoint: its own tokens, not repeated
    ]
    sizes = [int(c["checkpoint"].split("\n")[1]) for c in obj["timed_checkpoints"]]
    assert sizes == [timed.early + 1, timed.later + 1], "carried once, however many share it"
    for item in obj["timed_checkpoints"]:
        assert len(item["timestamps"]) == 1 and len(item["cosignatures"]) == 2


def test_an_entry_is_bounded_by_its_own_tokens_genTime_not_the_bundles(timed: Timed) -> None:
    report = _verify(timed)
    assert report.ok, [(c.subject, c.reason, c.detail) for c in report.failed()]
    obj = json.loads(timed.data)
    token = base64.b64decode(obj["timed_checkpoints"][0]["timestamps"][0]["token"])
    gen_time = read_token(token).gen_time
    logged = timed.logged_at[timed.early]
    assert gen_time - logged == timedelta(seconds=2)
    own = _time(report, timed.early)
    assert own.reason == "entry_time.established" and own.required
    assert own.facts["gen_time"] == format_time(gen_time)
    assert own.facts["tsa_time"] == format_time(gen_time + timedelta(seconds=1)), "accuracy"
    assert own.facts["witnesses"] == "witness.example/w1, witness.example/w2"
    bound = parse_time(str(own.facts["time"]))
    assert bound - logged <= timedelta(seconds=3), "seconds after logging"
    assert parse_time(str(report.log["tsa_time"])) - logged > timedelta(days=365), "the bundle's"
    assert _time(report, timed.later).facts["gen_time"] == format_time(
        timed.logged_at[timed.later] + timedelta(seconds=3)
    )
    assert _time(report, timed.last).facts["gen_time"] == format_time(
        parse_time(str(report.log["tsa_time"])) - timedelta(seconds=1)
    ), "the bundle checkpoint's own token"
    (finding,) = [f for f in report_json(report)["findings"] if f["index"] == timed.early]
    assert finding["facts"]["tsa_time"] == own.facts["tsa_time"]
    assert finding["facts"]["timed_size"] == timed.early + 1


def test_the_report_says_per_entry_when_it_existed_in_both_languages(timed: Timed) -> None:
    report = _verify(timed)
    own = _time(report, timed.early)
    shown = dual_time(str(own.facts["tsa_time"]), "en")
    en, zh = render_text(report), render_text(report, lang="zh")
    assert f"it existed no later than {shown} (RFC 3161, TSA" in en
    assert "(Beijing time) / " in shown
    assert "the first time-stamped one to hold it" in en
    assert f"Entry {timed.early}, logged at" in en and "witnesses witness.example/w1" in en
    assert f"该内容不晚于 {dual_time(str(own.facts['tsa_time']))} 已经存在" in zh
    assert f"条目 {timed.early}（记入时间" in zh and "首个包含该条目的带时间戳检查点" in zh


def test_without_roots_or_witnesses_entry_times_are_not_checked(timed: Timed) -> None:
    report = _verify(timed, checked=False)
    assert report.ok
    own = _time(report, timed.early)
    assert (own.outcome, own.reason, own.required) == (
        Outcome.NOT_CHECKED,
        "entry_time.not_checked",
        False,
    )
    assert (own.facts["tokens"], own.facts["cosignatures"]) == (1, 2)
    assert "An independent time:" in render_text(report)


def _flip_token(obj: dict[str, Any]) -> None:
    stamp = obj["timed_checkpoints"][0]["timestamps"][0]
    raw = bytearray(base64.b64decode(stamp["token"]))
    raw[-10] ^= 1  # inside the TSA's signature
    stamp["token"] = base64.b64encode(bytes(raw)).decode()


def _flip_proof(obj: dict[str, Any]) -> None:
    proof = obj["timed_checkpoints"][0]["consistency_proof"]
    raw = bytearray(base64.b64decode(proof[0]))
    raw[0] ^= 1
    proof[0] = base64.b64encode(bytes(raw)).decode()


def _alter_note(obj: dict[str, Any]) -> None:
    item = obj["timed_checkpoints"][0]
    origin, rest = item["checkpoint"].split("\n", 1)
    item["checkpoint"] = origin + "x\n" + rest


def _swap_evidence(obj: dict[str, Any]) -> None:
    first, second = obj["timed_checkpoints"]
    first["timestamps"], second["timestamps"] = second["timestamps"], first["timestamps"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_flip_token, "entry_time.timestamp_failed"),
        (_flip_proof, "entry_time.fork"),
        (_alter_note, "entry_time.not_signed"),
    ],
    ids=["token-bit-flipped", "consistency-proof-altered", "earlier-note-altered"],
)
def test_altered_evidence_of_the_early_checkpoint_fails_naming_its_entries(
    timed: Timed, change: Edit, reason: str
) -> None:
    report = _verify(timed, _edit(timed, change))
    assert _failed(report) == {(reason, "entry:0"), (reason, f"entry:{timed.early}")}
    assert _time(report, timed.later).reason == "entry_time.established"
    en = render_text(report)
    assert f"entry {timed.early}" in en.lower()
    assert not [f for f in report.findings if f.index == timed.early][0].established


def test_consistency_and_the_note_are_checked_even_without_roots(timed: Timed) -> None:
    for change in (_flip_proof, _alter_note):
        assert not _verify(timed, _edit(timed, change), checked=False).ok


def test_tokens_moved_to_another_checkpoint_fail_for_each_entry_it_times(timed: Timed) -> None:
    report = _verify(timed, _edit(timed, _swap_evidence))
    reasons = {c.subject: c.reason for c in report.checks if c.check == "entry_time"}
    assert reasons[f"entry:{timed.early}"] == "entry_time.timestamp_failed"
    assert reasons[f"entry:{timed.later}"] == "entry_time.timestamp_failed"
    assert _time(report, timed.early).facts["cause"] == "timestamp.other_digest"


def test_evidence_moved_to_an_entry_it_does_not_hold_fails(timed: Timed) -> None:
    def move(obj: dict[str, Any]) -> None:
        _entry(obj, timed.later)["timed_by"] = timed.early + 1

    report = _verify(timed, _edit(timed, move))
    assert _failed(report) == {
        ("entry_time.not_covered", f"entry:{timed.later}"),
        ("entry_time.unnamed", f"timed:{timed.later + 1}"),
    }
    assert f"does not hold entry {timed.later}" in render_text(report)


def test_an_entry_naming_a_checkpoint_the_bundle_lacks_fails(timed: Timed) -> None:
    def drop(obj: dict[str, Any]) -> None:
        obj["timed_checkpoints"] = obj["timed_checkpoints"][1:]

    report = _verify(timed, _edit(timed, drop))
    assert _failed(report) == {
        ("entry_time.missing", "entry:0"),
        ("entry_time.missing", f"entry:{timed.early}"),
    }


def test_an_entry_naming_a_later_checkpoint_than_the_first_the_bundle_carries_fails(
    timed: Timed,
) -> None:
    def later(obj: dict[str, Any]) -> None:
        _entry(obj, timed.early)["timed_by"] = timed.later + 1

    report = _verify(timed, _edit(timed, later))
    assert _failed(report) == {("entry_time.not_first", f"entry:{timed.early}")}
    assert _time(report, timed.early).facts["first"] == str(timed.early + 1)

    def both(obj: dict[str, Any]) -> None:
        for index in (0, timed.early):
            _entry(obj, index)["timed_by"] = timed.later + 1

    assert ("entry_time.unnamed", f"timed:{timed.early + 1}") in _failed(
        _verify(timed, _edit(timed, both))
    )


def test_a_bundle_without_entry_times_still_verifies_as_before(timed: Timed) -> None:
    def strip(obj: dict[str, Any]) -> None:
        del obj["timed_checkpoints"]
        for entry in obj["entries"]:
            del entry["timed_by"]

    report = _verify(timed, _edit(timed, strip))
    assert report.ok
    assert _time(report, timed.early).reason == "entry_time.none"
    assert "the checkpoint, and every entry in it, existed no later than" in render_text(report)
    (finding,) = [f for f in report.findings if f.index == timed.early]
    assert "timed_size" not in finding.facts


def test_an_entry_after_the_last_time_stamped_checkpoint_names_none(timed: Timed) -> None:
    log = timed.log
    bundle = build_bundle(log, BundleRequest(indexes=[timed.early, log.size() - 1]))
    assert bundle.checkpoint == log.checkpoint(), "proved against the latest"
    assert [e.timed_by for e in bundle.entries][-1] is None
    assert bundle.timestamps == [] and len(bundle.timed_checkpoints) == 1
    # No witness policy: the latest checkpoint has no cosignatures, so a policy would not be met.
    report = verify_bundle(bundle_json(bundle), log_key=timed.log_key, tsa_roots=[timed.ca])
    assert report.ok, [(c.subject, c.reason, c.detail) for c in report.failed()]
    assert _time(report, log.size() - 1).reason == "entry_time.none"
    assert _time(report, timed.early).reason == "entry_time.established"
    assert "When the data was created" in render_text(report)


def test_the_store_finds_the_first_checkpoint_with_evidence_covering_an_entry(
    timed: Timed,
) -> None:
    store = timed.log.store
    assert store.first_checkpoint_evidence_covering(0).size == timed.early + 1  # type: ignore[union-attr]
    found = store.first_checkpoint_evidence_covering(timed.early + 1)
    assert found is not None and found.size == timed.later + 1
    assert store.first_checkpoint_evidence_covering(timed.log.size() - 1) is None


def _spans(data: bytes) -> Iterator[tuple[int, int]]:
    """Yield the byte ranges of each entry's timed_by, and of the early checkpoint's note, proof and cosignatures."""
    at = 0
    while (at := data.find(b'"timed_by"', at)) >= 0:
        end = data.index(b"\n", at)
        yield at, end
        at = end
    start = data.index(b'"timed_checkpoints"')
    yield start, data.index(b'"timestamps"', start)
    # The token's bits are flipped in test_verify_attestations: the same check.
    cosignatures = data.index(b'"cosignatures"', start)
    yield cosignatures, data.index(b'"checkpoint"', cosignatures)


def test_every_changed_bit_of_the_early_evidence_and_the_entries_naming_it_fails(
    timed: Timed,
) -> None:
    for start, stop in _spans(timed.data):
        for i in range(start, stop):
            mutated = bytearray(timed.data)
            mutated[i] ^= 1 << (i % 8)
            report = _verify(timed, bytes(mutated))
            assert not report.ok, f"byte {i}: {bytes(mutated[max(0, i - 30) : i + 30])!r}"


def test_every_reason_about_entry_times_has_a_text_in_both_languages(timed: Timed) -> None:
    reports = [
        _verify(timed),
        _verify(timed, checked=False),
        *(
            _verify(timed, _edit(timed, change))
            for change in (_flip_token, _flip_proof, _alter_note, _swap_evidence)
        ),
        *(
            _verify(timed, _edit(timed, lambda o, i=index, s=size: _entry(o, i).update(timed_by=s)))
            for index, size in [(timed.later, timed.early + 1), (timed.early, timed.later + 1)]
        ),
        _verify(timed, _edit(timed, lambda o: o.update(timed_checkpoints=[]))),
    ]
    reasons = {c.reason for r in reports for c in r.checks if c.check == "entry_time"}
    assert {
        f"entry_time.{r}" for r in ("not_covered", "not_first", "missing", "unnamed")
    } <= reasons
    for report in reports:
        for check in report.checks:
            for lang in LANGS:
                assert check.reason in EN and f"check.{check.check}" in EN
                assert "?" not in text(check.reason, lang, check.facts), (check.reason, check.facts)
            if ":" in check.subject:
                assert f"subject.{check.subject.split(':')[0]}" in EN
