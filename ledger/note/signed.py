"""C2SP signed notes: text, a blank line, then one signature line per key.

A signature line is ``— <key name> base64(key ID || signature)``
(https://c2sp.org/signed-note). Opening a note follows Go's
``golang.org/x/mod/sumdb/note``: unknown keys' lines are kept unverified,
only the first line by a known key counts, and it must verify.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import InvalidSignature, MalformedInput
from cunzheng.ledger.note._text import is_utf8, shorten
from cunzheng.ledger.note.keys import Signer, Verifier, key_label, valid_key_name

MAX_NOTE_SIZE = 1 << 20
MAX_SIGNATURES = 100

_SIG_PREFIX = "— ".encode()
_NOTE_CONTROL = re.compile(rb"[\x00-\x09\x0b-\x1f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


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
    if not is_utf8(text):
        raise MalformedInput("note text is not valid UTF-8: it contains a lone surrogate")


def signature_line(name: str, raw: bytes) -> str:
    """Return the note signature line (with its newline) of key *name* carrying *raw*."""
    return f"— {name} {encode_base64(raw)}\n"


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """Return *text* as a signed note, with one signature line per signer in order."""
    _check_text(text)
    if not signers:
        raise MalformedInput("a signed note needs at least one signer")
    if len(signers) > MAX_SIGNATURES:
        raise MalformedInput(f"a note may carry at most {MAX_SIGNATURES} signatures")
    message = text.encode("utf-8")
    lines = [
        signature_line(signer.name, signer.key_id.to_bytes(4, "big") + signer.sign(message))
        for signer in signers
    ]
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


def parse_signature_line(number: int, line: bytes) -> Signature:
    """Return the key name, key ID and signature of signature line *number* (without newline)."""
    where = f"malformed note: signature line {number}"
    if not line.startswith(_SIG_PREFIX):
        raise MalformedInput(f"{where} does not start with an em dash (U+2014) and a space")
    name_bytes, _, b64_bytes = line[len(_SIG_PREFIX) :].partition(b" ")
    name = name_bytes.decode("utf-8")
    if not valid_key_name(name):
        raise MalformedInput(f"{where} has an invalid key name {shorten(name)}")
    # Stricter than Go: unused trailing bits must be zero, so that every bit of a
    # note held as evidence matters (docs/decisions/0004-strict-encodings.md).
    raw = decode_base64(b64_bytes.decode("utf-8"), what=f"{where}: the signature")
    if len(raw) < 5:
        raise MalformedInput(
            f"{where}: the signature is {len(raw)} bytes; it needs a 4-byte key ID and more"
        )
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def describe_keys(keys: Sequence[Signature] | Sequence[Verifier], limit: int = 5) -> str:
    """Return the labels of *keys* for a message, the first *limit* of them."""
    labels = list(dict.fromkeys(key_label(key.name, key.key_id) for key in keys))
    if not labels:
        return "no key"
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def read_note(message: str | bytes, verifiers: Sequence[Verifier]) -> Note:
    """Return the note in *message* with its signatures by *verifiers* checked, which may be none."""
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
        signature = parse_signature_line(number, line)
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
                f"ambiguous key {key_label(*key)}: {len(candidates)} different verifier keys "
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
    note = read_note(message, verifiers)
    if not note.signatures:
        raise InvalidSignature(
            f"no signature by a known key: note is signed by {describe_keys(note.unverified)}, "
            f"expected {describe_keys(verifiers)}"
        )
    return note
