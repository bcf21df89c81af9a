"""Tests of ledger.note against Go's note package, the C2SP specs and real checkpoints."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cunzheng.ledger.errors import InvalidProof, InvalidSignature, LedgerError, MalformedInput
from cunzheng.ledger.note import (
    MAX_NOTE_SIZE,
    Checkpoint,
    Note,
    Signature,
    Signer,
    Verifier,
    open_checkpoint,
    open_note,
    sign_checkpoint,
    sign_note,
)

VECTORS = Path(__file__).parent / "vectors" / "note"
ERRORS: dict[str, type[LedgerError]] = {
    "MalformedInput": MalformedInput,
    "InvalidSignature": InvalidSignature,
    "InvalidProof": InvalidProof,
}

PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
    "ngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOT"
    "GwnWLox33WWd1RvMc+QQ=\n"
)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def sig_of(line: str) -> Signature:
    """Return the Signature a signature line ``— name base64`` stands for."""
    _, name, b64 = line.split()
    raw = base64.b64decode(b64)
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


@pytest.fixture(scope="module")
def peter() -> Verifier:
    return Verifier.from_string(PETER_VKEY)


@pytest.fixture(scope="module")
def enoch() -> Verifier:
    return Verifier.from_string(ENOCH_VKEY)


@pytest.fixture(scope="module")
def log_signer() -> Signer:
    return Signer.from_string(load("checkpoint-log-and-witness")["log_signer_key"])


@pytest.fixture(scope="module")
def witness_signer() -> Signer:
    return Signer.from_string(load("checkpoint-log-and-witness")["witness_signer_key"])


# Go's note package: keys


def test_go_keys_parse_and_round_trip() -> None:
    vector = load("go-note-peterneumann")
    signer = Signer.from_string(vector["signer_key"])
    verifier = Verifier.from_string(vector["verifier_key"])
    assert (signer.name, signer.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert signer.verifier() == verifier
    assert signer.to_string() == vector["signer_key"]
    assert verifier.to_string() == vector["verifier_key"]
    assert Verifier.from_public_key("PeterNeumann", verifier.public_key) == verifier


def test_signer_repr_hides_the_seed() -> None:
    signer = Signer.from_string(PETER_SKEY)
    shown = repr(signer)
    assert "seed" not in shown
    assert signer.seed.hex() not in shown
    assert PETER_SKEY.rsplit("+", 1)[1] not in shown


def test_generate_gives_a_working_key_pair() -> None:
    signer = Signer.generate("EnochRoot")
    verifier = Verifier.from_string(signer.verifier().to_string())
    assert Signer.from_string(signer.to_string()) == signer
    signature = signer.sign(b"hi")
    verifier.verify(b"hi", signature)
    with pytest.raises(InvalidSignature):
        verifier.verify(b"hj", signature)
    with pytest.raises(InvalidSignature):
        verifier.verify(b"hi", bytes([signature[0] ^ 1]) + signature[1:])
    with pytest.raises(InvalidSignature):
        verifier.verify(b"hi", signature[:63])
    with pytest.raises(MalformedInput, match="invalid key name"):
        Signer.generate("bad name")


def manglings(key: str) -> set[str]:
    """Return every proper substring of *key* and every one-byte increment of it (Go's tests)."""
    data = key.encode()
    cut = {data[i:j] for i in range(len(data) + 1) for j in range(i + 1, len(data) + 1)}
    cut.discard(data)
    bumped = {data[:i] + bytes([data[i] + 1]) + data[i + 1 :] for i in range(len(data))}
    return {m.decode("utf-8", "surrogateescape") for m in cut | bumped}


def test_verifier_key_manglings_are_refused() -> None:
    for mangled in manglings(PETER_VKEY):
        with pytest.raises(MalformedInput):
            Verifier.from_string(mangled)


def test_signer_key_manglings_are_refused() -> None:
    for mangled in manglings(PETER_SKEY):
        with pytest.raises(MalformedInput):
            Signer.from_string(mangled)


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key ID does not"),
        (
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEQ==",
            "must be 32 bytes",
        ),
        (
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "not canonical base64",
        ),
        (
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "signature algorithm 0x65 is not Ed25519 (0x01)",
        ),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"),
        ("PeterNeumann+0xc74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex digits"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "base64"),
        ("PeterNeumann+c74f20a3+", "base64"),
    ],
)
def test_bad_verifier_keys_say_what_is_wrong(vkey: str, message: str) -> None:
    with pytest.raises(MalformedInput, match=re.escape(message)) as caught:
        Verifier.from_string(vkey)
    assert str(caught.value).startswith("verifier key ")


def test_uppercase_key_id_is_accepted_like_go() -> None:
    verifier = Verifier.from_string(PETER_VKEY.replace("c74f20a3", "C74F20A3"))
    assert verifier.to_string() == PETER_VKEY


def test_signer_key_errors_never_show_the_key() -> None:
    wrong_id = PETER_SKEY.replace("c74f20a3", "c74f20a4")
    with pytest.raises(MalformedInput, match="key ID does not match the key") as caught:
        Signer.from_string(wrong_id)
    assert "AYEKFALV" not in str(caught.value)
    with pytest.raises(MalformedInput, match="PRIVATE\\+KEY"):
        Signer.from_string(PETER_VKEY)


def test_constructors_check_the_key_id() -> None:
    verifier = Verifier.from_string(PETER_VKEY)
    with pytest.raises(MalformedInput, match="key ID does not match the key"):
        Verifier("PeterNeumann", verifier.key_id ^ 1, verifier.public_key)
    with pytest.raises(MalformedInput, match="key ID does not match the key"):
        Signer("EnochRoot", verifier.key_id, Signer.from_string(PETER_SKEY).seed)
    with pytest.raises(MalformedInput, match="32 bytes"):
        Verifier("PeterNeumann", verifier.key_id, verifier.public_key[:31])


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("sum.golang.org", True),
        ("example.com/log", True),
        ("a\u200bb", True),  # zero-width space is not a Unicode space
        ("日志", True),
        ("", False),
        ("a+b", False),
        ("a b", False),
        ("a\u00a0b", False),
        ("a\u3000b", False),
        ("a\u2028b", False),
        ("a\x85b", False),
        ("a\x1cb", False),
        ("a\ud800b", False),
    ],
)
def test_key_name_rules(name: str, valid: bool) -> None:
    if valid:
        signer = Signer.generate(name)
        assert Verifier.from_string(signer.verifier().to_string()).name == name
    else:
        with pytest.raises(MalformedInput, match="invalid key name"):
            Signer.generate(name)


# Go's note package: signing and opening


def test_sign_matches_go_byte_for_byte() -> None:
    vector = load("go-note-peterneumann")
    signer = Signer.from_string(vector["signer_key"])
    assert sign_note(vector["text"], [signer]) == vector["signed_note"]


def test_open_go_note() -> None:
    vector = load("go-note-peterneumann")
    verifier = Verifier.from_string(vector["verifier_key"])
    for message in (vector["signed_note"], vector["signed_note"].encode()):
        note = open_note(message, [verifier])
        assert note == Note(vector["text"], (sig_of(PETER_SIG),), ())
        assert f"{note.signatures[0].key_id:08x}" == vector["key_id"]


def test_doubly_signed_note(peter: Verifier, enoch: Verifier) -> None:
    vector = load("go-note-doubly-signed")
    message = vector["signed_note"]
    expected = tuple(sig_of(f"— {s['name']} {s['base64']}") for s in vector["signatures"])
    both = open_note(message, [peter, enoch])
    assert both.signatures == expected
    assert both.unverified == ()
    only_peter = open_note(message, [peter])
    assert only_peter.signatures == expected[:1]
    assert only_peter.unverified == expected[1:]
    only_enoch = open_note(message, [enoch])
    assert only_enoch.signatures == expected[1:]
    assert only_enoch.unverified == expected[:1]
    with pytest.raises(InvalidSignature, match="no signature by a known key") as caught:
        open_note(message, [])
    assert "PeterNeumann+c74f20a3, EnochRoot+af0cfe78" in str(caught.value)


def test_repeated_signatures_are_dropped_like_go(peter: Verifier) -> None:
    enoch_abcd = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    message = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd
    note = open_note(message, [peter])
    assert note.signatures == (sig_of(PETER_SIG),)
    assert note.unverified == (sig_of(ENOCH_SIG), sig_of(enoch_abcd))


def test_only_the_first_signature_by_a_known_key_is_checked(peter: Verifier) -> None:
    bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    assert open_note(TEXT + "\n" + PETER_SIG + bad, [peter]).signatures == (sig_of(PETER_SIG),)
    with pytest.raises(InvalidSignature, match="invalid signature for key PeterNeumann"):
        open_note(TEXT + "\n" + bad + PETER_SIG, [peter])


def test_a_failing_known_signature_rejects_the_note(peter: Verifier, enoch: Verifier) -> None:
    bad_enoch = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    with pytest.raises(InvalidSignature, match="invalid signature for key EnochRoot\\+af0cfe78"):
        open_note(TEXT + "\n" + PETER_SIG + bad_enoch, [peter, enoch])


def test_the_same_verifier_twice_counts_once(peter: Verifier) -> None:
    assert open_note(TEXT + "\n" + PETER_SIG, [peter, peter]).signatures == (sig_of(PETER_SIG),)


def test_two_keys_with_one_name_and_key_id_are_ambiguous(peter: Verifier) -> None:
    # Building such a pair honestly takes a 32-bit key ID collision; fake one instead.
    impostor = Verifier.from_public_key("PeterNeumann", Signer.generate("x").verifier().public_key)
    object.__setattr__(impostor, "key_id", peter.key_id)
    with pytest.raises(InvalidSignature, match="ambiguous key PeterNeumann\\+c74f20a3"):
        open_note(TEXT + "\n" + PETER_SIG, [peter, impostor])
    assert open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [Verifier.from_string(ENOCH_VKEY)])


@pytest.mark.parametrize(
    "message",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT
        + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngot"
        "pRZb6KE6RyyBwJnAM=",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG * 101,
        "",
        "\n",
        "\n\n",
        "\n\n\n",
    ],
)
def test_go_malformed_notes(message: str, peter: Verifier) -> None:
    with pytest.raises(MalformedInput, match="malformed note"):
        open_note(message, [peter])


def test_go_malformed_note_not_utf8(peter: Verifier) -> None:
    with pytest.raises(MalformedInput, match="not valid UTF-8 at byte 0"):
        open_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), [peter])
    with pytest.raises(MalformedInput, match="not valid UTF-8"):
        open_note("\udcff" + TEXT + "\n" + PETER_SIG, [peter])


def test_100_signatures_are_accepted(peter: Verifier) -> None:
    assert open_note(TEXT + "\n" + PETER_SIG * 100, [peter]).signatures == (sig_of(PETER_SIG),)


def test_noncanonical_signature_base64_is_refused(peter: Verifier) -> None:
    # 68 bytes of signature leave 2 unused bits in the last base64 character; Go's
    # decoder ignores them, so the same signature has four encodings. We refuse all
    # but the canonical one, so no bit of a note held as evidence is meaningless.
    b64 = PETER_SIG.split()[2]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    other = b64[:-2] + alphabet[alphabet.index(b64[-2]) ^ 1] + "="
    assert other != b64
    with pytest.raises(MalformedInput, match="canonical base64"):
        open_note(TEXT + "\n— PeterNeumann " + other + "\n", [peter])


def test_note_size_limit(log_signer: Signer) -> None:
    verifier = log_signer.verifier()
    line_length = len(sign_note("a\n", [log_signer]).encode()) - len("a\n\n")
    filler = "x" * (MAX_NOTE_SIZE - line_length - 2) + "\n"
    signed = sign_note(filler, [log_signer])
    assert len(signed.encode()) == MAX_NOTE_SIZE
    assert open_note(signed, [verifier]).text == filler
    with pytest.raises(MalformedInput, match="at most"):
        sign_note("x" + filler, [log_signer])
    too_big = "x" + signed
    for message in (too_big, too_big.encode()):
        with pytest.raises(MalformedInput, match="larger than"):
            open_note(message, [verifier])


def test_sign_note_refuses_what_open_note_would(log_signer: Signer) -> None:
    with pytest.raises(MalformedInput, match="must end with a newline"):
        sign_note("no newline", [log_signer])
    with pytest.raises(MalformedInput, match="control character U\\+000D"):
        sign_note("crlf\r\n", [log_signer])
    with pytest.raises(MalformedInput, match="lone surrogate"):
        sign_note("\ud800\n", [log_signer])
    with pytest.raises(MalformedInput, match="at least one signer"):
        sign_note("text\n", [])
    with pytest.raises(MalformedInput, match="at most 100"):
        sign_note("text\n", [log_signer] * 101)


@pytest.mark.parametrize("text", ["\n", "\n\n", "a\n\nb\n", "a\n\n\n", "tab\u0085less \x7f\n"])
def test_texts_with_empty_lines_round_trip(text: str, log_signer: Signer) -> None:
    assert open_note(sign_note(text, [log_signer]), [log_signer.verifier()]).text == text


# C2SP examples and real checkpoints


def test_c2sp_signed_note_example(log_signer: Signer) -> None:
    vector = load("c2sp-signed-note-example")
    with pytest.raises(InvalidSignature, match="quasimodo.example/salvatore\\+367ba04b"):
        open_note(vector["signed_note"], [log_signer.verifier()])
    # Add a signature we can check: the text still ends at the last empty line.
    their_line = vector["signed_note"][len(vector["text"]) + 1 :]
    ours = sign_note(vector["text"], [log_signer])
    note = open_note(ours + their_line, [log_signer.verifier()])
    assert note.text == vector["text"]
    assert [(s.name, f"{s.key_id:08x}") for s in note.unverified] == [
        (u["name"], u["key_id"]) for u in vector["unverified"]
    ]


def test_c2sp_tlog_checkpoint_example(log_signer: Signer) -> None:
    vector = load("c2sp-tlog-checkpoint-example")
    body = vector["signed_note"].split("\n\n")[0] + "\n"
    checkpoint = Checkpoint.parse(body)
    assert checkpoint == Checkpoint(
        vector["origin"], vector["size"], base64.b64decode(vector["root"])
    )
    assert checkpoint.body() == body
    with pytest.raises(InvalidSignature) as caught:
        open_checkpoint(vector["signed_note"], log_signer.verifier())
    assert str(caught.value) == (
        f"checkpoint is not signed by {log_signer.name}+{log_signer.key_id:08x}; "
        "it is signed by example.com/behind-the-sofa+033de0ae"
    )


@pytest.mark.parametrize("name", ["sumdb-checkpoint", "sumdb-checkpoint-witnessed"])
def test_real_sumdb_checkpoints(name: str) -> None:
    vector = load(name)
    verifier = Verifier.from_string(vector["verifier_key"])
    checkpoint, note = open_checkpoint(vector["signed_note"], verifier, origin=vector["origin"])
    assert checkpoint == Checkpoint(
        vector["origin"], vector["size"], base64.b64decode(vector["root"])
    )
    assert [s.name for s in note.signatures] == [verifier.name]
    assert [(s.name, f"{s.key_id:08x}") for s in note.unverified] == [
        (u["name"], u["key_id"]) for u in vector.get("unverified", [])
    ]
    assert verifier.name != checkpoint.origin  # allowed: the spec says SHOULD
    with pytest.raises(InvalidProof, match="not the expected"):
        open_checkpoint(vector["signed_note"], verifier, origin="sum.golang.org")


# Cunzheng checkpoints


def test_sign_checkpoint_reproduces_the_vector(log_signer: Signer) -> None:
    vector = load("checkpoint-log-and-witness")
    checkpoint = Checkpoint(vector["origin"], vector["size"], base64.b64decode(vector["root"]))
    assert sign_checkpoint(checkpoint, log_signer) == vector["log_signed_note"]
    assert log_signer.verifier().to_string() == vector["log_verifier_key"]
    opened, note = open_checkpoint(vector["log_signed_note"], log_signer.verifier())
    assert opened == checkpoint
    assert note.text == checkpoint.body()


def test_cosigned_checkpoint(log_signer: Signer, witness_signer: Signer) -> None:
    cosigned = load("checkpoint-log-and-witness")["cosigned_note"]
    log, witness = log_signer.verifier(), witness_signer.verifier()
    _, note = open_checkpoint(cosigned, log)
    assert [s.name for s in note.signatures] == [log.name]
    assert [s.name for s in note.unverified] == [witness.name]
    both = open_note(cosigned, [witness, log])
    assert [s.name for s in both.signatures] == [log.name, witness.name]
    assert [s.name for s in open_note(cosigned, [witness]).signatures] == [witness.name]
    with pytest.raises(InvalidSignature, match="checkpoint is not signed by"):
        open_checkpoint(cosigned, Signer.generate(log.name).verifier())


def test_empty_tree_checkpoint_with_extensions(log_signer: Signer) -> None:
    vector = load("checkpoint-empty-tree-with-extensions")
    checkpoint, _ = open_checkpoint(
        vector["signed_note"], log_signer.verifier(), origin=vector["origin"]
    )
    assert checkpoint.size == 0
    assert checkpoint.root.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert checkpoint.extensions == tuple(vector["extensions"])
    assert sign_checkpoint(checkpoint, log_signer) == vector["signed_note"]


def test_signed_text_that_is_no_checkpoint(log_signer: Signer) -> None:
    message = sign_note("if this is a valid checkpoint then I'll eat my hat\n", [log_signer])
    with pytest.raises(MalformedInput, match="checkpoint text has 1 line"):
        open_checkpoint(message, log_signer.verifier())


def test_every_single_byte_change_of_the_body_fails(log_signer: Signer) -> None:
    signed = load("checkpoint-log-and-witness")["log_signed_note"].encode()
    verifier = log_signer.verifier()
    body_length = signed.index(b"\n\n") + 1
    for position in range(body_length):
        for value in range(256):
            if value == signed[position]:
                continue
            tampered = signed[:position] + bytes([value]) + signed[position + 1 :]
            with pytest.raises((MalformedInput, InvalidSignature)):
                open_checkpoint(tampered, verifier)


def test_every_truncation_fails(log_signer: Signer) -> None:
    vector = load("checkpoint-log-and-witness")
    signed = vector["log_signed_note"].encode()
    verifier = log_signer.verifier()
    for length in range(len(signed)):
        with pytest.raises(LedgerError):
            open_checkpoint(signed[:length], verifier)
    # Signature lines are independent: dropping the witness's whole line leaves the log's.
    cosigned = vector["cosigned_note"].encode()
    opened = [
        length
        for length in range(len(cosigned))
        if succeeds(open_checkpoint, cosigned[:length], verifier)
    ]
    assert opened == [len(signed)]


def succeeds(call: Any, *args: Any) -> bool:
    try:
        call(*args)
    except LedgerError:
        return False
    return True


NEGATIVE = sorted(
    path.stem
    for path in sorted(VECTORS.glob("*.json"))
    if "error" in json.loads(path.read_text("utf-8"))
)


def test_negative_vectors_are_found() -> None:
    assert "checkpoint-forked-root" in NEGATIVE
    assert "note-missing-blank-line" in NEGATIVE
    assert len(NEGATIVE) >= 30


@pytest.mark.parametrize("name", NEGATIVE)
def test_negative_vector(name: str) -> None:
    vector = load(name)
    verifiers = [Verifier.from_string(key) for key in vector["verifier_keys"]]
    encoded = vector.get("note_base64")
    message: str | bytes = vector["note"] if encoded is None else base64.b64decode(encoded)
    with pytest.raises(LedgerError) as caught:
        if vector["kind"] == "checkpoint":
            open_checkpoint(message, verifiers[0], origin=vector.get("origin"))
        else:
            open_note(message, verifiers)
    assert type(caught.value) is ERRORS[vector["error"]]
    assert vector["message"] in str(caught.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("o\n1\n" + "A" * 43 + "=", "must end with a newline"),
        ("o\n1\n" + "A" * 43 + "=\n\n", "line 4 is empty"),
        ("o\n" + "9" * 5000 + "\n" + "A" * 43 + "=\n", "not a decimal number"),
        ("o\n18446744073709551615\n" + "A" * 43 + "=\n", None),
        ("o\n0\n" + "A" * 43 + "=\n", None),
        ("o\r\n0\n" + "A" * 43 + "=\n", "control character"),
    ],
)
def test_checkpoint_parse(body: str, message: str | None) -> None:
    if message is None:
        assert Checkpoint.parse(body).body() == body
    else:
        with pytest.raises(MalformedInput, match=re.escape(message)):
            Checkpoint.parse(body)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"origin": ""}, "origin must be a non-empty string"),
        ({"origin": "a\nb"}, "newline"),
        ({"size": -1}, "not within"),
        ({"size": 1 << 64}, "not within"),
        ({"size": True}, "must be an integer"),
        ({"root": b"\x00" * 31}, "32 bytes"),
        ({"extensions": ("",)}, "extension line 4"),
        ({"extensions": ("a\nb",)}, "extension line 4"),
        ({"extensions": ["a"]}, "tuple"),
    ],
)
def test_checkpoint_fields_are_checked(fields: dict[str, Any], message: str) -> None:
    good: dict[str, Any] = {
        "origin": "example.com/log",
        "size": 1,
        "root": b"\x00" * 32,
        "extensions": (),
    }
    with pytest.raises(MalformedInput, match=re.escape(message)):
        Checkpoint(**(good | fields))


def test_checkpoint_is_immutable() -> None:
    checkpoint = Checkpoint("example.com/log", 1, b"\x00" * 32)
    with pytest.raises(dataclasses.FrozenInstanceError):
        checkpoint.size = 2  # type: ignore[misc]


# Properties

note_text = st.lists(
    st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\n", min_codepoint=0x20),
        max_size=40,
    ),
    min_size=1,
    max_size=6,
).map(lambda lines: "\n".join(lines) + "\n")
line_text = st.text(
    st.characters(exclude_categories=["Cs"], min_codepoint=0x20), min_size=1, max_size=30
)
checkpoints = st.builds(
    Checkpoint,
    origin=line_text,
    size=st.integers(0, (1 << 64) - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(line_text, max_size=3).map(tuple),
)


@settings(max_examples=200)
@given(text=note_text)
def test_signed_text_opens_to_itself(text: str, log_signer: Signer) -> None:
    note = open_note(sign_note(text, [log_signer]), [log_signer.verifier()])
    assert note.text == text
    assert [s.name for s in note.signatures] == [log_signer.name]


@settings(max_examples=200)
@given(checkpoint=checkpoints)
def test_checkpoint_round_trip(checkpoint: Checkpoint, log_signer: Signer) -> None:
    assert Checkpoint.parse(checkpoint.body()) == checkpoint
    opened, _ = open_checkpoint(
        sign_checkpoint(checkpoint, log_signer), log_signer.verifier(), origin=checkpoint.origin
    )
    assert opened == checkpoint


def only_ledger_errors(call: Any, *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(LedgerError):
        call(*args, **kwargs)


fragments = st.sampled_from(
    [
        "\n",
        "\n\n",
        " ",
        "— ",
        "—",
        "PeterNeumann",
        "+",
        "=",
        "x08go/",
        "\x00",
        "\r",
        "\u00a0",
        "é",
        "\udc80",
        PETER_SIG,
        ENOCH_SIG,
        TEXT,
        "AAAA",
        "go.sum database tree\n",
        "0\n",
        "01\n",
        "A" * 43 + "=\n",
    ]
)
structured = st.lists(fragments, max_size=12).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    message=st.one_of(
        st.binary(),
        st.text(),
        structured,
        structured.map(lambda text: text.encode("utf-8", "surrogateescape")),
    )
)
def test_open_raises_only_ledger_errors(
    message: str | bytes, peter: Verifier, enoch: Verifier
) -> None:
    only_ledger_errors(open_note, message, [peter, enoch])
    only_ledger_errors(open_note, message, [])
    only_ledger_errors(open_checkpoint, message, peter, origin="o")


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    position=st.integers(0, 10_000),
    replacement=st.binary(max_size=4),
    cut=st.integers(0, 8),
)
def test_mutated_notes_raise_only_ledger_errors(
    position: int, replacement: bytes, cut: int, peter: Verifier, enoch: Verifier
) -> None:
    signed = (TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode()
    position %= len(signed)
    mutated = signed[:position] + replacement + signed[position + cut :]
    try:
        note = open_note(mutated, [peter, enoch])
    except LedgerError:
        return
    assert note.text == TEXT


@settings(max_examples=300)
@given(text=st.one_of(st.text(), structured))
def test_parsers_raise_only_ledger_errors(text: str) -> None:
    only_ledger_errors(Checkpoint.parse, text)
    only_ledger_errors(Verifier.from_string, text)
    only_ledger_errors(Signer.from_string, text)
    only_ledger_errors(Verifier.from_string, PETER_VKEY[:22] + text)
    only_ledger_errors(Signer.from_string, "PRIVATE+KEY+" + text)
