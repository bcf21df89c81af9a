"""C2SP signed notes and tlog checkpoints, signed with Ed25519.

A signed note (https://c2sp.org/signed-note) is UTF-8 text ending in a
newline, then a blank line, then one or more signature lines
``— <key name> base64(key ID || signature)``. A checkpoint
(https://c2sp.org/tlog-checkpoint) is a note whose text names a log (its
origin), a tree size and a root hash, optionally followed by extension lines.

The format in practice is what Go's ``golang.org/x/mod/sumdb/note`` accepts,
so this module follows it: the same key strings, the same parsing, and the
same treatment of unknown, repeated and failing signatures, so that notes
pass unchanged between this log and Go tools (sumdb clients, tessera,
witnesses). It is stricter in a few places:

* ``open_note`` refuses notes over ``MAX_NOTE_SIZE`` bytes (Go counts only
  signatures), and ``sign_note`` refuses to write a note ``open_note`` would
  refuse (control characters, over 100 signatures, over the size limit).
* Key names may not contain control characters (Go accepts such keys, but no
  note signed under them can be opened). Base64 in key strings may not be
  broken across lines (Go's decoder skips line breaks).
* Ed25519 verification is libsodium's, which also rejects small-order public
  keys and signature points that Go's ``crypto/ed25519`` accepts; for honestly
  generated keys the two agree.
* ``Checkpoint.parse`` wants canonical base64 for the root hash and a tree
  size below 2**64, so that ``parse(body).body() == body``.

Go reports the same verifier key passed twice as ambiguous; here it counts
once. Two *different* keys with the same name and key ID are still refused.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

from cunzheng.ledger.errors import InvalidProof, InvalidSignature, MalformedInput

ALG_ED25519 = 0x01
MAX_NOTE_SIZE = 1 << 20
MAX_SIGNATURES = 100
MAX_TREE_SIZE = (1 << 64) - 1

_SIG_PREFIX = "— ".encode()
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_HEX8 = re.compile(r"[0-9A-Fa-f]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
_CONTROL = re.compile(r"[\x00-\x1f]")
_NOTE_CONTROL = re.compile(rb"[\x00-\x09\x0b-\x1f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
# Go's unicode.IsSpace; Python's str.isspace() differs (it counts U+001C-U+001F).
_SPACE = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def _shorten(text: str, limit: int = 80) -> str:
    return repr(text[:limit]) + ("..." if len(text) > limit else "")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _valid_name(name: str) -> bool:
    return (
        name != ""
        and "+" not in name
        and _SPACE.search(name) is None
        and _CONTROL.search(name) is None
        and _is_utf8(name)
    )


def _b64decode(text: str) -> bytes | None:
    """Return the bytes of padded standard base64 *text*, or None if it is not that."""
    if _B64.fullmatch(text) is None:
        return None
    return base64.b64decode(text)


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _key_id(name: str, key: bytes) -> int:
    """Return the key ID of *key* (algorithm byte first) under key name *name*."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + key).digest()
    return int.from_bytes(digest[:4], "big")


def _key_label(name: str, key_id: int) -> str:
    return f"{name}+{key_id:08x}"


def _check_name(what: str, name: str) -> None:
    if not isinstance(name, str) or not _valid_name(name):
        raise MalformedInput(
            f"{what}: invalid key name {_shorten(str(name))}: it must be non-empty, "
            "without '+', spaces or control characters"
        )


def _check_key_fields(what: str, name: str, key_id: int, key: bytes, size: int) -> None:
    _check_name(what, name)
    if not isinstance(key, bytes) or len(key) != size:
        raise MalformedInput(f"{what}: an Ed25519 key must be {size} bytes")
    if isinstance(key_id, bool) or not isinstance(key_id, int) or not 0 <= key_id < 1 << 32:
        raise MalformedInput(f"{what}: the key ID must be an unsigned 32-bit integer")


def _split_key(what: str, name: str, id_hex: str, key64: str) -> tuple[int, bytes]:
    """Return the key ID and the algorithm-prefixed key bytes of a key string's parts."""
    _check_name(what, name)
    if _HEX8.fullmatch(id_hex) is None:
        raise MalformedInput(f"{what}: the key ID must be 8 hex digits")
    key = _b64decode(key64)
    if not key:
        raise MalformedInput(f"{what}: the key is missing or not valid base64")
    return int(id_hex, 16), key


def _check_ed25519(what: str, key: bytes) -> bytes:
    """Return the raw Ed25519 key inside algorithm-prefixed *key*."""
    if key[0] != ALG_ED25519:
        raise MalformedInput(
            f"{what}: unknown signature algorithm 0x{key[0]:02x}; only Ed25519 (0x01) is supported"
        )
    if len(key) != 33:
        raise MalformedInput(f"{what}: an Ed25519 key must be 32 bytes, not {len(key) - 1}")
    return key[1:]


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 public key that checks signatures made under a key name."""

    name: str
    key_id: int
    public_key: bytes
    _key: VerifyKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        what = "verifier key"
        _check_key_fields(what, self.name, self.key_id, self.public_key, 32)
        if self.key_id != _key_id(self.name, bytes([ALG_ED25519]) + self.public_key):
            raise MalformedInput(f"{what} {self.name}: key ID does not match the key")
        object.__setattr__(self, "_key", VerifyKey(self.public_key))

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> Verifier:
        """Return the verifier for Ed25519 *public_key* under key name *name*."""
        _check_key_fields("verifier key", name, 0, public_key, 32)
        return cls(name, _key_id(name, bytes([ALG_ED25519]) + public_key), public_key)

    @classmethod
    def from_string(cls, vkey: str) -> Verifier:
        """Return the verifier encoded as ``<name>+<key ID>+<base64(0x01 || key)>``."""
        what = f"verifier key {_shorten(vkey)}"
        name, _, rest = vkey.partition("+")
        id_hex, _, key64 = rest.partition("+")
        key_id, key = _split_key(what, name, id_hex, key64)
        if key_id != _key_id(name, key):
            raise MalformedInput(f"{what}: key ID does not match the key")
        return cls(name, key_id, _check_ed25519(what, key))

    def to_string(self) -> str:
        """Return this verifier's key string, as Go's note package writes it."""
        key64 = _b64encode(bytes([ALG_ED25519]) + self.public_key)
        return f"{_key_label(self.name, self.key_id)}+{key64}"

    def verify(self, message: bytes, signature: bytes) -> None:
        """Return None if *signature* is this key's signature of *message*, else raise."""
        try:
            if len(signature) == 64:
                self._key.verify(message, signature)
                return
        except CryptoError:
            pass
        raise InvalidSignature(
            f"invalid signature for key {_key_label(self.name, self.key_id)}: "
            "the signed text was altered, or another key made the signature"
        )


@dataclass(frozen=True)
class Signer:
    """An Ed25519 private key that signs notes under a key name."""

    name: str
    key_id: int
    seed: bytes = field(repr=False)
    _key: SigningKey = field(init=False, repr=False, compare=False)
    _public_key: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        what = "signer key"
        _check_key_fields(what, self.name, self.key_id, self.seed, 32)
        key = SigningKey(self.seed)
        public_key = bytes(key.verify_key)
        if self.key_id != _key_id(self.name, bytes([ALG_ED25519]) + public_key):
            raise MalformedInput(f"{what} {self.name}: key ID does not match the key")
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_public_key", public_key)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """Return a new random signer under key name *name*."""
        _check_name("signer key", name)
        key = SigningKey.generate()
        public_key = bytes(key.verify_key)
        return cls(name, _key_id(name, bytes([ALG_ED25519]) + public_key), bytes(key))

    @classmethod
    def from_string(cls, skey: str) -> Signer:
        """Return the signer encoded as ``PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>``."""
        what = "signer key"
        private, _, rest = skey.partition("+")
        key_word, _, rest = rest.partition("+")
        if private != "PRIVATE" or key_word != "KEY":
            raise MalformedInput(f"{what}: it must start with 'PRIVATE+KEY+'")
        name, _, rest = rest.partition("+")
        id_hex, _, key64 = rest.partition("+")
        key_id, key = _split_key(what, name, id_hex, key64)
        seed = _check_ed25519(what, key)
        public_key = bytes(SigningKey(seed).verify_key)
        if key_id != _key_id(name, bytes([ALG_ED25519]) + public_key):
            raise MalformedInput(f"{what} {name}: key ID does not match the key")
        return cls(name, key_id, seed)

    def to_string(self) -> str:
        """Return this signer's secret key string, as Go's note package writes it."""
        key64 = _b64encode(bytes([ALG_ED25519]) + self.seed)
        return f"PRIVATE+KEY+{_key_label(self.name, self.key_id)}+{key64}"

    def verifier(self) -> Verifier:
        """Return the verifier for this signer's public key."""
        return Verifier(self.name, self.key_id, self._public_key)

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of *message*."""
        return self._key.sign(message).signature


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: key name, key ID and the raw signature."""

    name: str
    key_id: int
    signature: bytes


@dataclass(frozen=True)
class Note:
    """A note's text, its signatures by known keys, and those by unknown keys."""

    text: str
    signatures: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedInput("note text must end with a newline")
    match = _TEXT_CONTROL.search(text)
    if match is not None:
        raise MalformedInput(
            f"note text contains control character U+{ord(match.group()):04X}; "
            "only newline is allowed"
        )
    if not _is_utf8(text):
        raise MalformedInput("note text is not valid UTF-8: it contains a lone surrogate")


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """Return *text* as a signed note, with one signature line per signer in order."""
    _check_text(text)
    if not signers:
        raise MalformedInput("a signed note needs at least one signer")
    if len(signers) > MAX_SIGNATURES:
        raise MalformedInput(f"a note may carry at most {MAX_SIGNATURES} signatures")
    message = text.encode("utf-8")
    lines = []
    for signer in signers:
        raw = signer.key_id.to_bytes(4, "big") + signer.sign(message)
        lines.append(f"— {signer.name} {_b64encode(raw)}\n")
    note = text + "\n" + "".join(lines)
    if len(note.encode("utf-8")) > MAX_NOTE_SIZE:
        raise MalformedInput(f"a signed note may be at most {MAX_NOTE_SIZE} bytes")
    return note


def _note_bytes(message: str | bytes) -> bytes:
    """Return *message* as bytes after the whole-note checks: size, UTF-8, control characters."""
    too_big = MalformedInput(f"malformed note: larger than {MAX_NOTE_SIZE} bytes")
    if len(message) > MAX_NOTE_SIZE:
        raise too_big
    if isinstance(message, str):
        try:
            data = message.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedInput("malformed note: not valid UTF-8 (a lone surrogate)") from None
        if len(data) > MAX_NOTE_SIZE:
            raise too_big
    else:
        data = bytes(message)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedInput(f"malformed note: not valid UTF-8 at byte {error.start}") from None
    control = _NOTE_CONTROL.search(data)
    if control is not None:
        raise MalformedInput(
            f"malformed note: control character U+{control.group()[0]:04X} at byte "
            f"{control.start()}; only newline is allowed"
        )
    return data


def _parse_signature_line(number: int, line: bytes) -> Signature:
    where = f"malformed note: signature line {number}"
    if not line.startswith(_SIG_PREFIX):
        raise MalformedInput(f"{where} does not start with an em dash (U+2014) and a space")
    name_bytes, _, b64_bytes = line[len(_SIG_PREFIX) :].partition(b" ")
    name = name_bytes.decode("utf-8")
    if not _valid_name(name):
        raise MalformedInput(f"{where} has an invalid key name {_shorten(name)}")
    text = b64_bytes.decode("utf-8")
    raw = _b64decode(text)
    if raw is None:
        raise MalformedInput(f"{where}: the signature is not valid base64")
    # Stricter than Go: unused trailing bits must be zero, so that every bit of a
    # note held as evidence matters (docs/decisions/0004-strict-encodings.md).
    if _b64encode(raw) != text:
        raise MalformedInput(f"{where}: the signature is not in canonical base64")
    if len(raw) < 5:
        raise MalformedInput(
            f"{where}: the signature is {len(raw)} bytes; it needs a 4-byte key ID and more"
        )
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def _describe(keys: Sequence[Signature] | Sequence[Verifier], limit: int = 5) -> str:
    labels = list(dict.fromkeys(_key_label(key.name, key.key_id) for key in keys))
    if not labels:
        return "no key"
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _open(message: str | bytes, verifiers: Sequence[Verifier]) -> Note:
    """Return the parsed note with its checked signatures, which may be none."""
    data = _note_bytes(message)
    split = data.rfind(b"\n\n")
    if split < 0:
        raise MalformedInput("malformed note: no blank line between the text and the signatures")
    text, block = data[: split + 1], data[split + 2 :]
    if not block:
        raise MalformedInput("malformed note: no signature lines after the blank line")
    if not block.endswith(b"\n"):
        raise MalformedInput("malformed note: the last signature line does not end with a newline")
    known: dict[tuple[str, int], list[Verifier]] = {}
    for verifier in verifiers:
        same = known.setdefault((verifier.name, verifier.key_id), [])
        if verifier not in same:
            same.append(verifier)
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen_keys: set[tuple[str, int]] = set()
    seen_lines: set[bytes] = set()
    for number, line in enumerate(block[:-1].split(b"\n"), start=1):
        signature = _parse_signature_line(number, line)
        if number > MAX_SIGNATURES:
            raise MalformedInput(f"malformed note: more than {MAX_SIGNATURES} signatures")
        key = (signature.name, signature.key_id)
        candidates = known.get(key)
        if candidates is None:
            # Go drops repeated identical lines from unknown keys.
            if line not in seen_lines:
                seen_lines.add(line)
                unverified.append(signature)
            continue
        if len(candidates) > 1:
            raise InvalidSignature(
                f"ambiguous key {_key_label(*key)}: {len(candidates)} different verifier keys "
                "have this name and key ID; remove the wrong one"
            )
        # As in Go, only the first signature line by a known key counts.
        if key in seen_keys:
            continue
        seen_keys.add(key)
        candidates[0].verify(text, signature.signature)
        verified.append(signature)
    return Note(text.decode("utf-8"), tuple(verified), tuple(unverified))


def open_note(message: str | bytes, verifiers: Sequence[Verifier]) -> Note:
    """Return the note in *message* if it parses and at least one of *verifiers* signed it."""
    note = _open(message, verifiers)
    if not note.signatures:
        raise InvalidSignature(
            f"no signature by a known key: note is signed by {_describe(note.unverified)}, "
            f"expected {_describe(verifiers)}"
        )
    return note


def _check_line(what: str, value: str) -> None:
    if not isinstance(value, str) or value == "":
        raise MalformedInput(f"{what} must be a non-empty string")
    if _CONTROL.search(value) is not None or not _is_utf8(value):
        raise MalformedInput(
            f"{what} {_shorten(value)} contains a newline, a control character or a lone surrogate"
        )


def _parse_size(text: str) -> int:
    if _DECIMAL.fullmatch(text) is None:
        raise MalformedInput(
            f"checkpoint tree size (line 2) {_shorten(text)} is not a decimal number "
            "without sign or leading zeros"
        )
    size = int(text)
    if size > MAX_TREE_SIZE:
        raise MalformedInput(f"checkpoint tree size (line 2) {text} is over 2**64-1")
    return size


def _parse_root(text: str) -> bytes:
    root = _b64decode(text)
    if root is None:
        raise MalformedInput(f"checkpoint root hash (line 3) {_shorten(text)} is not valid base64")
    if len(root) != 32:
        raise MalformedInput(f"checkpoint root hash (line 3) is {len(root)} bytes, not 32")
    if _b64encode(root) != text:
        raise MalformedInput(f"checkpoint root hash (line 3) {text} is not canonical base64")
    return root


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed claim of its tree size and root hash (C2SP tlog-checkpoint)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line("checkpoint origin", self.origin)
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise MalformedInput("checkpoint tree size must be an integer")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedInput(f"checkpoint tree size {self.size} is not within 0..2**64-1")
        if not isinstance(self.root, bytes) or len(self.root) != 32:
            raise MalformedInput("checkpoint root hash must be 32 bytes")
        if not isinstance(self.extensions, tuple):
            raise MalformedInput("checkpoint extensions must be a tuple of lines")
        for number, line in enumerate(self.extensions, start=4):
            _check_line(f"checkpoint extension line {number}", line)

    def body(self) -> str:
        """Return the checkpoint's note text: origin, size, base64 root, extension lines."""
        head = f"{self.origin}\n{self.size}\n{_b64encode(self.root)}\n"
        return head + "".join(line + "\n" for line in self.extensions)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Return the checkpoint whose note text is *body*."""
        if not body.endswith("\n"):
            raise MalformedInput("checkpoint text must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedInput(
                f"checkpoint text has {len(lines)} line(s); it needs an origin, "
                "a tree size and a root hash"
            )
        origin, size, root, *extensions = lines
        if origin == "":
            raise MalformedInput("checkpoint origin (line 1) is empty")
        for number, line in enumerate(extensions, start=4):
            if line == "":
                raise MalformedInput(
                    f"checkpoint line {number} is empty; extension lines may not be"
                )
        return cls(origin, _parse_size(size), _parse_root(root), tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """Return *checkpoint* as a note signed by *signer*."""
    return sign_note(checkpoint.body(), [signer])


def open_checkpoint(
    note: str | bytes, verifier: Verifier, *, origin: str | None = None
) -> tuple[Checkpoint, Note]:
    """Return the checkpoint in *note* and the note, if *verifier* signed it.

    Signatures by other keys (witness cosignatures, say) are kept in the
    note's ``unverified``. C2SP tlog-checkpoint says the log's key name
    SHOULD equal the origin line, but logs such as sum.golang.org (key
    ``sum.golang.org``, origin ``go.sum database tree``) differ, so that is
    not required; pass *origin* to pin the log the checkpoint must be from.
    A note that does not parse, or a checkpoint text that does not, raises
    MalformedInput; a missing or failing signature by *verifier* raises
    InvalidSignature; another origin than *origin* raises InvalidProof.
    """
    opened = _open(note, [verifier])
    if not opened.signatures:
        raise InvalidSignature(
            f"checkpoint is not signed by {_key_label(verifier.name, verifier.key_id)}; "
            f"it is signed by {_describe(opened.unverified)}"
        )
    checkpoint = Checkpoint.parse(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise InvalidProof(
            f"checkpoint is from log {_shorten(checkpoint.origin)}, "
            f"not the expected {_shorten(origin)}"
        )
    return checkpoint, opened
