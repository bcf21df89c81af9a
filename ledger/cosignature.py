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

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

from cunzheng.ledger.errors import InvalidSignature, MalformedInput
from cunzheng.ledger.note import (
    Checkpoint,
    Signature,
    _b64decode,
    _open,
    _parse_signature_line,
    _valid_name,
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


def _key_id(name: str, public_key: bytes) -> int:
    message = name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_key
    return int.from_bytes(hashlib.sha256(message).digest()[:4], "big")


def _label(name: str, key_id: int) -> str:
    return f"{name}+{key_id:08x}"


def _check_name(what: str, name: str) -> None:
    if not isinstance(name, str) or not _valid_name(name):
        raise MalformedInput(
            f"{what}: invalid witness name {name!r}: it must be non-empty, "
            "without '+', spaces or control characters"
        )


def _split(what: str, name: str, id_hex: str, key64: str) -> tuple[int, bytes]:
    """Return the key ID and raw key of a key string's parts, which must be type 0x04."""
    _check_name(what, name)
    if len(id_hex) != 8 or any(c not in "0123456789abcdefABCDEF" for c in id_hex):
        raise MalformedInput(f"{what}: the key ID must be 8 hex digits")
    key = _b64decode(key64)
    if not key:
        raise MalformedInput(f"{what}: the key is missing or not valid base64")
    if key[0] != ALG_COSIGNATURE_V1:
        raise MalformedInput(
            f"{what}: signature type 0x{key[0]:02x} is not a cosignature/v1 key (0x04); "
            "a witness key string ends in base64(0x04 || Ed25519 public key)"
        )
    if len(key) != 33:
        raise MalformedInput(f"{what}: an Ed25519 key must be 32 bytes, not {len(key) - 1}")
    return int(id_hex, 16), key[1:]


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


@dataclass(frozen=True)
class CosignatureVerifier:
    """A witness's Ed25519 public key for cosignature/v1 under its name."""

    name: str
    key_id: int
    public_key: bytes
    _key: VerifyKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_name("witness key", self.name)
        if not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
            raise MalformedInput("witness key: an Ed25519 public key must be 32 bytes")
        if self.key_id != _key_id(self.name, self.public_key):
            raise MalformedInput(f"witness key {self.name}: key ID does not match the key")
        object.__setattr__(self, "_key", VerifyKey(self.public_key))

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> CosignatureVerifier:
        """Return the cosignature verifier for Ed25519 *public_key* under witness name *name*."""
        _check_name("witness key", name)
        return cls(name, _key_id(name, public_key), public_key)

    @classmethod
    def from_string(cls, vkey: str) -> CosignatureVerifier:
        """Return the verifier encoded as ``<name>+<key ID>+<base64(0x04 || key)>``."""
        what = f"witness key {vkey[:80]!r}"
        name, _, rest = vkey.strip().partition("+")
        id_hex, _, key64 = rest.partition("+")
        key_id, key = _split(what, name, id_hex, key64)
        if key_id != _key_id(name, key):
            raise MalformedInput(f"{what}: key ID does not match the key")
        return cls(name, key_id, key)

    def to_string(self) -> str:
        """Return this verifier's key string (C2SP signed-note vkey, signature type 0x04)."""
        key64 = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + self.public_key).decode()
        return f"{_label(self.name, self.key_id)}+{key64}"

    def verify(self, body: str, signature: bytes) -> datetime:
        """Return the time in *signature* if it is this witness's cosignature of checkpoint *body*."""
        what = f"cosignature by {_label(self.name, self.key_id)}"
        if len(signature) != _SIGNATURE_SIZE:
            raise InvalidSignature(
                f"{what} is {len(signature)} bytes; a cosignature/v1 is an 8-byte "
                "timestamp and a 64-byte Ed25519 signature"
            )
        seconds = int.from_bytes(signature[:8], "big")
        if seconds > MAX_TIMESTAMP:
            raise InvalidSignature(f"{what} has timestamp {seconds}, over 2**63-1")
        try:
            self._key.verify(signed_message(body, seconds), signature[8:])
        except CryptoError:
            raise InvalidSignature(
                f"invalid {what}: the checkpoint or the time was altered, "
                "or another key made the signature"
            ) from None
        return _to_time(seconds)


@dataclass(frozen=True)
class CosignatureSigner:
    """A witness's Ed25519 private key that cosigns checkpoints under its name."""

    name: str
    key_id: int
    seed: bytes = field(repr=False)
    _key: SigningKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_name("witness signer key", self.name)
        if not isinstance(self.seed, bytes) or len(self.seed) != 32:
            raise MalformedInput("witness signer key: an Ed25519 seed must be 32 bytes")
        key = SigningKey(self.seed)
        if self.key_id != _key_id(self.name, bytes(key.verify_key)):
            raise MalformedInput(f"witness signer key {self.name}: key ID does not match the key")
        object.__setattr__(self, "_key", key)

    @classmethod
    def generate(cls, name: str) -> CosignatureSigner:
        """Return a new random witness key under witness name *name*."""
        _check_name("witness signer key", name)
        key = SigningKey.generate()
        return cls(name, _key_id(name, bytes(key.verify_key)), bytes(key))

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> CosignatureSigner:
        """Return the witness key with Ed25519 *seed* under witness name *name*."""
        _check_name("witness signer key", name)
        return cls(name, _key_id(name, bytes(SigningKey(seed).verify_key)), seed)

    @classmethod
    def from_string(cls, skey: str) -> CosignatureSigner:
        """Return the signer encoded as ``PRIVATE+KEY+<name>+<key ID>+<base64(0x04 || seed)>``."""
        what = "witness signer key"
        head, _, rest = skey.strip().partition("+")
        word, _, rest = rest.partition("+")
        if head != "PRIVATE" or word != "KEY":
            raise MalformedInput(f"{what}: it must start with 'PRIVATE+KEY+'")
        name, _, rest = rest.partition("+")
        id_hex, _, key64 = rest.partition("+")
        key_id, seed = _split(what, name, id_hex, key64)
        signer = cls.from_seed(name, seed)
        if signer.key_id != key_id:
            raise MalformedInput(f"{what} {name}: key ID does not match the key")
        return signer

    def to_string(self) -> str:
        """Return this signer's secret key string."""
        key64 = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + self.seed).decode()
        return f"PRIVATE+KEY+{_label(self.name, self.key_id)}+{key64}"

    def verifier(self) -> CosignatureVerifier:
        """Return the verifier for this witness key."""
        return CosignatureVerifier(self.name, self.key_id, bytes(self._key.verify_key))

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of *message*."""
        return self._key.sign(message).signature


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
    return f"— {signer.name} {base64.b64encode(raw).decode()}\n"


def parse_line(line: str) -> Signature:
    """Return the key name, key ID and signature bytes of one note signature line."""
    text = line[:-1] if line.endswith("\n") else line
    if "\n" in text:
        raise MalformedInput("a signature line may not contain a newline")
    return _parse_signature_line(1, text.encode("utf-8"))


def verify_cosignature(note: str, line: str, verifier: CosignatureVerifier) -> datetime:
    """Return the time of cosignature *line* if *verifier*'s witness made it over *note*'s checkpoint."""
    body = checkpoint_body(note)
    signature = parse_line(line)
    if (signature.name, signature.key_id) != (verifier.name, verifier.key_id):
        raise InvalidSignature(
            f"the signature line is by key {_label(signature.name, signature.key_id)}, "
            f"not by witness {_label(verifier.name, verifier.key_id)}"
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
        opened = _open(note, [])
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
