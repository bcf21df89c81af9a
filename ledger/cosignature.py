"""Witness cosignatures on checkpoints (C2SP tlog-cosignature, Ed25519 ``cosignature/v1``).

A witness that has checked a checkpoint is consistent with every earlier one
it saw of the same log adds a note signature line to it
(https://c2sp.org/tlog-cosignature)::

    — <witness name> base64(key ID || timestamp || Ed25519 signature)

where the key ID is the first 4 bytes of SHA-256(<name> || "\\n" || 0x04 ||
public key), the timestamp is 8 bytes big-endian of POSIX seconds, and the
signature covers::

    cosignature/v1
    time <timestamp in decimal>
    <the whole checkpoint body, extension lines included>

So a cosignature is an independent upper bound on when the checkpoint (and
every entry it commits to) existed: "witness W saw this tree by time T".
Verifier keys are written as in C2SP signed-note with signature type 0x04:
``<name>+<8 hex key ID>+<base64(0x04 || public key)>``; the witness's private
key is kept as ``PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x04 || seed)>``.

A ``WitnessPolicy`` says which witnesses a relying party trusts and how many
of them must have cosigned a checkpoint. Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Self

from cunzheng.ledger.errors import InvalidSignature, MalformedInput
from cunzheng.ledger.note import (
    Checkpoint,
    Ed25519PrivateKey,
    Ed25519PublicKey,
    Signature,
    key_label,
    parse_signature_line,
    read_note,
    signature_line,
)

__all__ = [
    "ALG_COSIGNATURE_V1",
    "CosignatureSigner",
    "CosignatureVerifier",
    "WitnessPolicy",
    "checkpoint_body",
    "cosign",
    "parse_line",
    "signed_message",
    "verify_cosignature",
]

ALG_COSIGNATURE_V1 = 0x04
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = (1 << 63) - 1
_SIGNATURE_SIZE = 8 + 64


def _timestamp(at: datetime | int) -> int:
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise ValueError("naive datetime: cosignature times must be timezone-aware UTC")
        seconds = int(at.timestamp() // 1)
    elif isinstance(at, int) and not isinstance(at, bool):
        seconds = at
    else:
        raise TypeError("a cosignature time is a timezone-aware datetime or POSIX seconds")
    if not 0 <= seconds <= MAX_TIMESTAMP:
        raise MalformedInput(f"cosignature timestamp {seconds} is not within 0..2**63-1")
    return seconds


def _to_time(seconds: int) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidSignature(
            f"cosignature timestamp {seconds} is beyond any date this verifier can represent"
        ) from None


# Witness keys are signed-note Ed25519 keys with signature type 0x04; only the
# type byte, the words in messages and the message signed differ from note keys.
@dataclass(frozen=True)
class CosignatureVerifier(Ed25519PublicKey):
    """A witness's Ed25519 public key for cosignature/v1 under its name."""

    ALGORITHM: ClassVar[int] = ALG_COSIGNATURE_V1
    KIND: ClassVar[str] = "cosignature/v1"
    WHAT: ClassVar[str] = "witness key"
    NAME_WORD: ClassVar[str] = "witness name"

    @classmethod
    def from_string(cls, vkey: str) -> Self:
        """Return the verifier encoded as ``<name>+<key ID>+<base64(0x04 || key)>``."""
        # Witness key strings are often pasted from files: surrounding space is dropped.
        return super().from_string(vkey.strip())

    def verify(self, body: str, signature: bytes) -> datetime:
        """Return the time in *signature* if it is this witness's cosignature of checkpoint *body*."""
        what = f"cosignature by {key_label(self.name, self.key_id)}"
        if len(signature) != _SIGNATURE_SIZE:
            raise InvalidSignature(
                f"{what} is {len(signature)} bytes; a cosignature/v1 is an 8-byte "
                "timestamp and a 64-byte Ed25519 signature"
            )
        seconds = int.from_bytes(signature[:8], "big")
        if seconds > MAX_TIMESTAMP:
            raise InvalidSignature(f"{what} has timestamp {seconds}, over 2**63-1")
        if not self._check(signed_message(body, seconds), signature[8:]):
            raise InvalidSignature(
                f"invalid {what}: the checkpoint or the time was altered, "
                "or another key made the signature"
            )
        return _to_time(seconds)


@dataclass(frozen=True)
class CosignatureSigner(Ed25519PrivateKey):
    """A witness's Ed25519 private key that cosigns checkpoints under its name."""

    ALGORITHM: ClassVar[int] = ALG_COSIGNATURE_V1
    KIND: ClassVar[str] = "cosignature/v1"
    WHAT: ClassVar[str] = "witness signer key"
    NAME_WORD: ClassVar[str] = "witness name"

    @classmethod
    def from_string(cls, skey: str) -> Self:
        """Return the signer encoded as ``PRIVATE+KEY+<name>+<key ID>+<base64(0x04 || seed)>``."""
        return super().from_string(skey.strip())

    def verifier(self) -> CosignatureVerifier:
        """Return the verifier for this witness key."""
        return CosignatureVerifier(self.name, self.key_id, self.public_key)


def checkpoint_body(text: str) -> str:
    """Return the checkpoint body of *text*, a signed checkpoint note or a body alone."""
    split = text.rfind("\n\n")
    body = text if split < 0 else text[: split + 1]
    Checkpoint.parse(body)
    return body


def signed_message(body: str, timestamp: int) -> bytes:
    """Return the bytes a cosignature/v1 at POSIX *timestamp* signs over checkpoint *body*."""
    return f"{HEADER}time {timestamp}\n{body}".encode()


def cosign(checkpoint_body: str, signer: CosignatureSigner, *, at: datetime | int) -> str:
    """Return the note signature line (with its newline) cosigning *checkpoint_body* at *at*."""
    Checkpoint.parse(checkpoint_body)
    seconds = _timestamp(at)
    signature = signer.sign(signed_message(checkpoint_body, seconds))
    raw = signer.key_id.to_bytes(4, "big") + seconds.to_bytes(8, "big") + signature
    return signature_line(signer.name, raw)


def parse_line(line: str) -> Signature:
    """Return the key name, key ID and signature bytes of one note signature line."""
    text = line[:-1] if line.endswith("\n") else line
    if "\n" in text:
        raise MalformedInput("a signature line may not contain a newline")
    return parse_signature_line(1, text.encode("utf-8"))


def verify_cosignature(note: str, line: str, verifier: CosignatureVerifier) -> datetime:
    """Return the time of cosignature *line* if *verifier*'s witness made it over *note*'s checkpoint."""
    body = checkpoint_body(note)
    signature = parse_line(line)
    if (signature.name, signature.key_id) != (verifier.name, verifier.key_id):
        raise InvalidSignature(
            f"the signature line is by key {key_label(signature.name, signature.key_id)}, "
            f"not by witness {key_label(verifier.name, verifier.key_id)}"
        )
    return verifier.verify(body, signature.signature)


@dataclass(frozen=True)
class WitnessPolicy:
    """The witnesses a relying party trusts and how many of them must cosign a checkpoint."""

    witnesses: tuple[CosignatureVerifier, ...]
    threshold: int

    def __init__(self, witnesses: Sequence[CosignatureVerifier], threshold: int) -> None:
        unique = tuple(dict.fromkeys(witnesses))
        labels = [(w.name, w.key_id) for w in unique]
        if len(set(labels)) != len(labels):
            raise MalformedInput("two different witness keys have the same name and key ID")
        if isinstance(threshold, bool) or not isinstance(threshold, int):
            raise MalformedInput("the witness threshold must be an integer")
        if not 1 <= threshold <= len(unique):
            raise MalformedInput(
                f"a threshold of {threshold} cannot be met by {len(unique)} named witness(es); "
                "it must be between 1 and the number of witnesses"
            )
        object.__setattr__(self, "witnesses", unique)
        object.__setattr__(self, "threshold", threshold)

    def check(self, note: str) -> list[tuple[str, datetime]]:
        """Return (witness name, time) for each named witness that cosigned *note*, if enough did."""
        opened = read_note(note, [])
        body = checkpoint_body(opened.text)
        by_key: dict[tuple[str, int], list[bytes]] = {}
        for signature in opened.unverified:
            by_key.setdefault((signature.name, signature.key_id), []).append(signature.signature)
        cosigned = []
        for witness in self.witnesses:
            found = by_key.get((witness.name, witness.key_id))
            if found:
                # As for note signatures, the first line by a known key counts and must verify.
                cosigned.append((witness.name, witness.verify(body, found[0])))
        if len(cosigned) < self.threshold:
            names = ", ".join(name for name, _ in cosigned) or "none"
            raise InvalidSignature(
                f"{self.threshold} of {len(self.witnesses)} named witnesses required; "
                f"cosigned by only: {names}"
            )
        return cosigned
