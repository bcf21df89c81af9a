"""C2SP tlog-cosignature v1: cosigning checkpoints, checking cosignatures, witness policies.

The pinned vector below was made by this module and, independently, by Go's
``golang.org/x/mod/sumdb/note`` with a cosignature/v1 signer written from the
spec (``tests/interop/cosigcheck``); ``tests/interop/test_witnesses.py``
checks that both still agree. The spec publishes an example cosigned
checkpoint but not the witness's public key, so it cannot serve as a vector.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cunzheng.ledger.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    WitnessPolicy,
    checkpoint_body,
    cosign,
    signed_message,
    verify_cosignature,
)
from cunzheng.ledger.errors import InvalidSignature, MalformedInput
from cunzheng.ledger.note import Checkpoint, Signer, open_checkpoint, sign_checkpoint

# The checkpoint of the spec's example (https://c2sp.org/tlog-cosignature).
BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SEED = bytes(range(32))
NAME = "witness.example/w1"
TIME = 1679315147
VKEY = "witness.example/w1+e75f6532+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
LINE = (
    "— witness.example/w1 519lMgAAAABkGFDLBuRDazBLVac2NE+Y+IjbjQOcXLfF9CSDZVUIoS83rE1nFZsVE8Yi"
    "WV6Ngr7lV8H6bdoBQGP/l73euDMQ9k+bBQ==\n"
)


@pytest.fixture
def witness() -> CosignatureSigner:
    """The vector's witness key."""
    return CosignatureSigner.from_seed(NAME, SEED)


def _raw(line: str) -> bytes:
    return base64.b64decode(line.rstrip("\n").rsplit(" ", 1)[1])


def _line(name: str, raw: bytes) -> str:
    return f"— {name} {base64.b64encode(raw).decode()}\n"


def test_vector_key_string_and_line(witness: CosignatureSigner) -> None:
    assert witness.verifier().to_string() == VKEY
    assert cosign(BODY, witness, at=TIME) == LINE
    assert cosign(BODY, witness, at=datetime.fromtimestamp(TIME + 0.9, UTC)) == LINE


def test_vector_layout_follows_the_spec(witness: CosignatureSigner) -> None:
    raw = _raw(LINE)
    public = witness.verifier().public_key
    key_id = hashlib.sha256(NAME.encode() + b"\n\x04" + public).digest()[:4]
    assert raw[:4] == key_id
    assert int.from_bytes(raw[4:12], "big") == TIME
    assert len(raw) == 4 + 8 + 64
    assert signed_message(BODY, TIME) == b"cosignature/v1\ntime 1679315147\n" + BODY.encode()


def test_round_trip_returns_the_time() -> None:
    signer = CosignatureSigner.generate("witness.example/w2")
    at = datetime(2026, 11, 25, 8, 0, 1, 999, tzinfo=UTC)
    line = cosign(BODY, signer, at=at)
    assert verify_cosignature(BODY, line, signer.verifier()) == at.replace(microsecond=0)


def test_verifier_and_signer_strings_round_trip(witness: CosignatureSigner) -> None:
    assert CosignatureVerifier.from_string(VKEY) == witness.verifier()
    assert CosignatureSigner.from_string(witness.to_string()) == witness
    assert witness.to_string().startswith("PRIVATE+KEY+witness.example/w1+e75f6532+B")


def test_a_note_key_is_not_a_witness_key() -> None:
    log_key = Signer.generate("example.com/log").verifier().to_string()
    with pytest.raises(MalformedInput, match=r"is not cosignature/v1 \(0x04\)"):
        CosignatureVerifier.from_string(log_key)


def test_key_string_with_a_wrong_key_id_is_refused() -> None:
    with pytest.raises(MalformedInput, match="key ID does not match"):
        CosignatureVerifier.from_string(VKEY.replace("+e75f6532+", "+e75f6533+"))


def test_cosignature_verifies_over_the_whole_signed_note(witness: CosignatureSigner) -> None:
    log = Signer.generate("example.com/behind-the-sofa")
    note = sign_checkpoint(Checkpoint.parse(BODY), log) + LINE
    assert verify_cosignature(note, LINE, witness.verifier()) == datetime.fromtimestamp(TIME, UTC)
    checkpoint, opened = open_checkpoint(note, log.verifier())
    assert checkpoint.size == 20852163
    assert [s.name for s in opened.unverified] == [NAME]


def test_cosignature_altered_body_is_refused(witness: CosignatureSigner) -> None:
    forked = BODY.replace("20852163", "20852164")
    with pytest.raises(InvalidSignature, match="the checkpoint or the time was altered"):
        verify_cosignature(forked, LINE, witness.verifier())


def test_cosignature_altered_time_is_refused(witness: CosignatureSigner) -> None:
    raw = _raw(LINE)
    later = raw[:4] + (TIME + 1).to_bytes(8, "big") + raw[12:]
    with pytest.raises(InvalidSignature, match="altered"):
        verify_cosignature(BODY, _line(NAME, later), witness.verifier())


def test_cosignature_flipped_signature_bit_is_refused(witness: CosignatureSigner) -> None:
    raw = bytearray(_raw(LINE))
    raw[-1] ^= 1
    with pytest.raises(InvalidSignature):
        verify_cosignature(BODY, _line(NAME, bytes(raw)), witness.verifier())


def test_cosignature_by_another_key_is_refused(witness: CosignatureSigner) -> None:
    impostor = CosignatureSigner.generate(NAME)
    with pytest.raises(InvalidSignature, match="not by witness witness.example/w1\\+e75f6532"):
        verify_cosignature(BODY, cosign(BODY, impostor, at=TIME), witness.verifier())


def test_cosignature_truncated_is_refused(witness: CosignatureSigner) -> None:
    raw = _raw(LINE)[:-8]
    with pytest.raises(InvalidSignature, match="8-byte timestamp and a 64-byte"):
        verify_cosignature(BODY, _line(NAME, raw), witness.verifier())


def test_plain_note_signature_is_not_a_cosignature() -> None:
    # The same Ed25519 key as a log key (type 0x01) signs the body itself; domain separation
    # ("cosignature/v1", the time line) keeps that from passing as a cosignature.
    log = Signer.generate(NAME)
    witness = CosignatureSigner.from_seed(NAME, log.seed)
    plain = _raw(sign_checkpoint(Checkpoint.parse(BODY), log).split("\n\n")[1])[4:]
    forged = witness.key_id.to_bytes(4, "big") + TIME.to_bytes(8, "big") + plain
    with pytest.raises(InvalidSignature, match="altered"):
        verify_cosignature(BODY, _line(NAME, forged), witness.verifier())


def test_timestamp_beyond_2_63_is_refused(witness: CosignatureSigner) -> None:
    with pytest.raises(MalformedInput, match="2\\*\\*63"):
        cosign(BODY, witness, at=1 << 63)
    raw = _raw(LINE)
    huge = raw[:4] + (1 << 63).to_bytes(8, "big") + raw[12:]
    with pytest.raises(InvalidSignature, match="over 2\\*\\*63-1"):
        verify_cosignature(BODY, _line(NAME, huge), witness.verifier())


def test_only_checkpoints_are_cosigned(witness: CosignatureSigner) -> None:
    with pytest.raises(MalformedInput):
        cosign("not a checkpoint\n", witness, at=TIME)
    with pytest.raises(ValueError, match="naive"):
        cosign(BODY, witness, at=datetime(2026, 1, 1))


def test_checkpoint_body_of_a_note_and_of_a_body() -> None:
    log = Signer.generate("example.com/behind-the-sofa")
    assert checkpoint_body(sign_checkpoint(Checkpoint.parse(BODY), log)) == BODY
    assert checkpoint_body(BODY) == BODY


@given(st.integers(min_value=0, max_value=(1 << 63) - 1), st.binary(min_size=32, max_size=32))
def test_any_time_and_root_round_trip(seconds: int, root: bytes) -> None:
    body = Checkpoint("example.com/log", 7, root).body()
    signer = CosignatureSigner.from_seed(NAME, SEED)
    line = cosign(body, signer, at=seconds)
    assert int.from_bytes(_raw(line)[4:12], "big") == seconds
    if seconds < 253402300800:  # datetime's year 9999
        assert verify_cosignature(body, line, signer.verifier()).timestamp() == seconds


# Witness policies -------------------------------------------------------------


@pytest.fixture
def cosigned() -> tuple[str, list[CosignatureSigner]]:
    """A checkpoint signed by its log and cosigned by w1 and w2 of three witnesses."""
    log = Signer.generate("example.com/behind-the-sofa")
    witnesses = [CosignatureSigner.generate(f"witness.example/w{i}") for i in (1, 2, 3)]
    note = sign_checkpoint(Checkpoint.parse(BODY), log)
    note += cosign(BODY, witnesses[0], at=TIME) + cosign(BODY, witnesses[1], at=TIME + 5)
    return note, witnesses


def test_policy_two_of_three_is_met(cosigned: tuple[str, list[CosignatureSigner]]) -> None:
    note, witnesses = cosigned
    policy = WitnessPolicy([w.verifier() for w in witnesses], 2)
    assert policy.check(note) == [
        ("witness.example/w1", datetime.fromtimestamp(TIME, UTC)),
        ("witness.example/w2", datetime.fromtimestamp(TIME + 5, UTC)),
    ]


def test_policy_three_of_three_names_who_is_missing(
    cosigned: tuple[str, list[CosignatureSigner]],
) -> None:
    note, witnesses = cosigned
    policy = WitnessPolicy([w.verifier() for w in witnesses], 3)
    with pytest.raises(
        InvalidSignature,
        match="3 of 3 named witnesses required; cosigned by only: witness.example/w1, witness.example/w2",
    ):
        policy.check(note)


def test_policy_ignores_cosignatures_by_unknown_witnesses(
    cosigned: tuple[str, list[CosignatureSigner]],
) -> None:
    note, witnesses = cosigned
    policy = WitnessPolicy([witnesses[2].verifier()], 1)
    with pytest.raises(
        InvalidSignature, match="1 of 1 named witnesses required; cosigned by only: none"
    ):
        policy.check(note)


def test_policy_refuses_a_bad_cosignature_by_a_named_witness(
    cosigned: tuple[str, list[CosignatureSigner]],
) -> None:
    note, witnesses = cosigned
    forked = note.replace("20852163", "20852164")
    with pytest.raises(InvalidSignature, match="cosignature by witness.example/w1"):
        WitnessPolicy([w.verifier() for w in witnesses], 1).check(forked)


def test_policy_counts_a_witness_once(cosigned: tuple[str, list[CosignatureSigner]]) -> None:
    note, witnesses = cosigned
    w1 = witnesses[0]
    twice = note + cosign(BODY, w1, at=TIME + 9)
    policy = WitnessPolicy([w1.verifier(), w1.verifier(), witnesses[2].verifier()], 2)
    assert len(policy.witnesses) == 2
    with pytest.raises(InvalidSignature, match="cosigned by only: witness.example/w1$"):
        policy.check(twice)


@pytest.mark.parametrize("threshold", [0, 4, -1])
def test_policy_threshold_must_be_attainable(
    cosigned: tuple[str, list[CosignatureSigner]], threshold: int
) -> None:
    _, witnesses = cosigned
    with pytest.raises(MalformedInput, match="cannot be met"):
        WitnessPolicy([w.verifier() for w in witnesses], threshold)
