"""Ed25519 keys of C2SP signed notes: key names, key IDs and key strings.

A signed-note key has a name and a signature type byte; its key ID is the
first 4 bytes of SHA-256(<name> || 0x0A || <type byte> || <public key>).
Key strings are ``<name>+<8 hex key ID>+<base64(type byte || public key)>``
for verifiers and ``PRIVATE+KEY+<name>+<8 hex key ID>+<base64(type byte ||
seed)>`` for signers (https://c2sp.org/signed-note).

Two signature types use Ed25519 keys here: 0x01, plain note signatures
(``Signer``, ``Verifier``), and 0x04, tlog-cosignature ``cosignature/v1``
(``cunzheng.ledger.cosignature``). They differ only in the type byte and in
the message signed, so both build on ``Ed25519PublicKey`` and
``Ed25519PrivateKey`` below and share one parser and writer of key strings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import ClassVar, Self

from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import InvalidSignature, MalformedInput
from cunzheng.ledger.note._text import CONTROL, is_utf8, shorten

ALG_ED25519 = 0x01

_HEX8 = re.compile(r"[0-9A-Fa-f]{8}")
# Go's unicode.IsSpace; Python's str.isspace() differs (it counts U+001C-U+001F).
_SPACE = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def valid_key_name(name: str) -> bool:
    """Return whether *name* may name a key: non-empty, no '+', spaces or control characters."""
    return (
        name != ""
        and "+" not in name
        and _SPACE.search(name) is None
        and CONTROL.search(name) is None
        and is_utf8(name)
    )


def key_id(name: str, algorithm: int, public_key: bytes) -> int:
    """Return the key ID of Ed25519 *public_key* of signature type *algorithm* under *name*."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([algorithm]) + public_key)
    return int.from_bytes(digest.digest()[:4], "big")


def key_label(name: str, key_id: int) -> str:
    """Return ``<name>+<8 hex key ID>``, how messages and key strings name a key."""
    return f"{name}+{key_id:08x}"


class _KeyType:
    """What a kind of key is called in messages, and its signature type byte."""

    ALGORITHM: ClassVar[int] = ALG_ED25519
    # The algorithm as messages name it, and how the key and its name are called.
    KIND: ClassVar[str] = "Ed25519"
    WHAT: ClassVar[str] = "key"
    NAME_WORD: ClassVar[str] = "key name"

    @classmethod
    def _check_name(cls, what: str, name: str) -> None:
        if not isinstance(name, str) or not valid_key_name(name):
            raise MalformedInput(
                f"{what}: invalid {cls.NAME_WORD} {shorten(str(name))}: it must be non-empty, "
                "without '+', spaces or control characters"
            )

    @classmethod
    def _check_fields(cls, what: str, name: str, key_id: int, key: bytes) -> None:
        cls._check_name(what, name)
        if not isinstance(key, bytes) or len(key) != 32:
            raise MalformedInput(f"{what}: an Ed25519 key must be 32 bytes")
        if isinstance(key_id, bool) or not isinstance(key_id, int) or not 0 <= key_id < 1 << 32:
            raise MalformedInput(f"{what}: the key ID must be an unsigned 32-bit integer")

    @classmethod
    def _key_id(cls, name: str, public_key: bytes) -> int:
        return key_id(name, cls.ALGORITHM, public_key)

    @classmethod
    def _split(cls, what: str, name: str, rest: str) -> tuple[int, bytes]:
        """Return the key ID and the raw 32-byte key of a key string's ``<key ID>+<base64>``."""
        cls._check_name(what, name)
        id_hex, _, key64 = rest.partition("+")
        if _HEX8.fullmatch(id_hex) is None:
            raise MalformedInput(f"{what}: the key ID must be 8 hex digits")
        if key64 == "":
            raise MalformedInput(f"{what}: the base64 key after the key ID is missing")
        key = decode_base64(key64, what=f"{what}: the key")
        if not key or key[0] != cls.ALGORITHM:
            found = f"0x{key[0]:02x}" if key else "missing"
            raise MalformedInput(
                f"{what}: signature algorithm {found} is not {cls.KIND} (0x{cls.ALGORITHM:02x}); "
                f"the key string must end in base64(0x{cls.ALGORITHM:02x} || Ed25519 key)"
            )
        if len(key) != 33:
            raise MalformedInput(f"{what}: an Ed25519 key must be 32 bytes, not {len(key) - 1}")
        return int(id_hex, 16), key[1:]

    @classmethod
    def _string(cls, name: str, key_id: int, key: bytes) -> str:
        return f"{key_label(name, key_id)}+{encode_base64(bytes([cls.ALGORITHM]) + key)}"


@dataclass(frozen=True)
class Ed25519PublicKey(_KeyType):
    """An Ed25519 public key under a key name; subclasses fix the signature type and verify."""

    name: str
    key_id: int
    public_key: bytes
    _key: VerifyKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_fields(self.WHAT, self.name, self.key_id, self.public_key)
        if self.key_id != self._key_id(self.name, self.public_key):
            raise MalformedInput(f"{self.WHAT} {self.name}: key ID does not match the key")
        object.__setattr__(self, "_key", VerifyKey(self.public_key))

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> Self:
        """Return the key for Ed25519 *public_key* under key name *name*."""
        cls._check_fields(cls.WHAT, name, 0, public_key)
        return cls(name, cls._key_id(name, public_key), public_key)

    @classmethod
    def from_string(cls, vkey: str) -> Self:
        """Return the key encoded as ``<name>+<key ID>+<base64(type byte || key)>``."""
        what = f"{cls.WHAT} {shorten(vkey)}"
        name, _, rest = vkey.partition("+")
        key_id, key = cls._split(what, name, rest)
        if key_id != cls._key_id(name, key):
            raise MalformedInput(f"{what}: key ID does not match the key")
        return cls(name, key_id, key)

    def to_string(self) -> str:
        """Return this key's verifier key string, as Go's note package writes it."""
        return self._string(self.name, self.key_id, self.public_key)

    def _check(self, message: bytes, signature: bytes) -> bool:
        """Return whether 64-byte *signature* is this key's Ed25519 signature of *message*."""
        try:
            if len(signature) == 64:
                self._key.verify(message, signature)
                return True
        except CryptoError:
            pass
        return False


@dataclass(frozen=True)
class Ed25519PrivateKey(_KeyType):
    """An Ed25519 private key under a key name; subclasses fix the signature type."""

    WHAT: ClassVar[str] = "signer key"

    name: str
    key_id: int
    seed: bytes = field(repr=False)
    _key: SigningKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_fields(self.WHAT, self.name, self.key_id, self.seed)
        key = SigningKey(self.seed)
        if self.key_id != self._key_id(self.name, bytes(key.verify_key)):
            raise MalformedInput(f"{self.WHAT} {self.name}: key ID does not match the key")
        object.__setattr__(self, "_key", key)

    @classmethod
    def generate(cls, name: str) -> Self:
        """Return a new random key under key name *name*."""
        cls._check_name(cls.WHAT, name)
        return cls.from_seed(name, bytes(SigningKey.generate()))

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Self:
        """Return the key with Ed25519 *seed* under key name *name*."""
        cls._check_fields(cls.WHAT, name, 0, seed)
        return cls(name, cls._key_id(name, bytes(SigningKey(seed).verify_key)), seed)

    @classmethod
    def from_string(cls, skey: str) -> Self:
        """Return the key encoded as ``PRIVATE+KEY+<name>+<key ID>+<base64(type byte || seed)>``."""
        what = cls.WHAT
        private, _, rest = skey.partition("+")
        key_word, _, rest = rest.partition("+")
        if private != "PRIVATE" or key_word != "KEY":
            raise MalformedInput(f"{what}: it must start with 'PRIVATE+KEY+'")
        name, _, rest = rest.partition("+")
        key_id, seed = cls._split(what, name, rest)
        # The message names the key but never shows it: this is a secret.
        if key_id != cls._key_id(name, bytes(SigningKey(seed).verify_key)):
            raise MalformedInput(f"{what} {name}: key ID does not match the key")
        return cls(name, key_id, seed)

    def to_string(self) -> str:
        """Return this key's secret key string, as Go's note package writes it."""
        return "PRIVATE+KEY+" + self._string(self.name, self.key_id, self.seed)

    @property
    def public_key(self) -> bytes:
        """Return the 32-byte Ed25519 public key of this key."""
        return bytes(self._key.verify_key)

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of *message*."""
        return self._key.sign(message).signature


@dataclass(frozen=True)
class Verifier(Ed25519PublicKey):
    """An Ed25519 public key that checks note signatures (type 0x01) made under a key name."""

    WHAT: ClassVar[str] = "verifier key"

    def verify(self, message: bytes, signature: bytes) -> None:
        """Return None if *signature* is this key's signature of *message*, else raise."""
        if not self._check(message, signature):
            raise InvalidSignature(
                f"invalid signature for key {key_label(self.name, self.key_id)}: "
                "the signed text was altered, or another key made the signature"
            )


@dataclass(frozen=True)
class Signer(Ed25519PrivateKey):
    """An Ed25519 private key that signs notes (type 0x01) under a key name."""

    def verifier(self) -> Verifier:
        """Return the verifier for this signer's public key."""
        return Verifier(self.name, self.key_id, self.public_key)
