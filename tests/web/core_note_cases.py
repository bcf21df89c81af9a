"""Print, as JSON, signed notes, checkpoints and key strings with ledger.note's verdicts.

tests/web/core-note.test.js runs this and holds api/web/js/05-note-*.js and
06-cosignature.js to the same verdicts and messages: genuine notes, notes with
one thing changed (a bit of the text or of a signature, a line, the size, the
root, the encoding), signatures that only libsodium's strict rules refuse, and
witness cosignatures under a policy.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from nacl import bindings

from cunzheng.ledger import cosignature
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.note import (
    Ed25519PrivateKey,
    Signer,
    Verifier,
    open_checkpoint,
    open_note,
)

# The group order of Ed25519, and two points of small order.
L = (1 << 252) + 27742317777372353535851937790883648493
IDENTITY = bytes([1]) + bytes(31)
ORDER8 = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
ROOT = hashlib.sha256(b"root").digest()


def seed(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


LOG = Signer.from_seed("example.com/log", seed("log"))
OTHER = Signer.from_seed("example.com/log", seed("other"))
WITNESSES = [
    cosignature.CosignatureSigner.from_seed(f"witness-{n}.example", seed(f"witness {n}"))
    for n in range(3)
]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def outcome(run: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Return {"ok": run(*args, **kwargs)}, or the class and message of the LedgerError it raises."""
    try:
        return {"ok": run(*args, **kwargs)}
    except LedgerError as e:
        return {"error": type(e).__name__, "message": str(e)}


def opened_json(opened: Any) -> Any:
    def sigs(signatures: Any) -> list[Any]:
        return [[s.name, s.key_id, s.signature.hex()] for s in signatures]

    return {
        "text": opened.text,
        "signatures": sigs(opened.signatures),
        "unverified": sigs(opened.unverified),
    }


def sign_line(signer: Ed25519PrivateKey, text: bytes, *, signature: bytes | None = None) -> bytes:
    raw = signer.key_id.to_bytes(4, "big") + (signature or signer.sign(text))
    return f"— {signer.name} {b64(raw)}\n".encode()


def note(text: bytes, *lines: bytes) -> bytes:
    return text + b"\n" + b"".join(lines)


def by_log(text: bytes) -> bytes:
    return note(text, sign_line(LOG, text))


def not_canonical(line: bytes) -> bytes:
    """Return signature *line* with the unused bits of its base64's last character set."""
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    spelled = line.rstrip(b"\n").rstrip(b"=")
    last = alphabet.index(spelled[-1:])
    padding = line.rstrip(b"\n")[len(spelled) :]
    return spelled[:-1] + alphabet[last | 1 : (last | 1) + 1] + padding + b"\n"


def body(size: str = "42", root: str | None = None, *extensions: str) -> bytes:
    lines = ["example.com/log", size, root if root is not None else b64(ROOT), *extensions]
    return "".join(line + "\n" for line in lines).encode()


def checkpoint_notes() -> dict[str, bytes]:
    text = body()
    good = sign_line(LOG, text)
    sig = LOG.sign(text)
    flipped = bytearray(sig)
    flipped[7] ^= 0x10
    s_plus_l = sig[:32] + (int.from_bytes(sig[32:], "little") + L).to_bytes(32, "little")
    cosig = cosignature.cosign(text.decode(), WITNESSES[0], at=1_790_000_000).encode()
    signed = {
        "genuine": note(text, good),
        "with-extensions": by_log(body("7", None, "ext one", "sha256 x")),
        "max-size": by_log(body("18446744073709551615")),
        "size-over-2-64": by_log(body("18446744073709551616")),
        "size-leading-zero": by_log(body("042")),
        "size-signed": by_log(body("+42")),
        "root-not-canonical": by_log(body("1", b64(ROOT)[:-2] + "Z=")),
        "root-short": by_log(body("1", b64(ROOT[:31]))),
        "empty-extension": by_log(body("1", None, "")),
        "two-lines": by_log(b"example.com/log\n1\n"),
        "empty-origin": by_log(b"\n1\n" + b64(ROOT).encode() + b"\n"),
        "cosigned": note(text, good, cosig, cosig),
        "witness-first": note(text, cosig, good),
        "other-key-only": note(text, sign_line(OTHER, text)),
        "size-altered": note(body("43"), good),
        "signature-bit-flipped": note(text, sign_line(LOG, text, signature=bytes(flipped))),
        "bad-then-good": note(text, sign_line(LOG, text, signature=bytes(flipped)), good),
        "good-then-bad": note(text, good, sign_line(LOG, text, signature=bytes(flipped))),
        "signature-s-plus-l": note(text, sign_line(LOG, text, signature=s_plus_l)),
        "signature-small-order-r": note(text, sign_line(LOG, text, signature=ORDER8 + sig[32:])),
        "signature-short": note(text, sign_line(LOG, text, signature=sig[:63])),
        "no-blank-line": text + good,
        "no-signature-lines": text + b"\n",
        "no-final-newline": note(text, good[:-1]),
        "not-em-dash": note(text, b"- " + good[4:]),
        "name-with-plus": note(text, good.replace(b"example.com/log", b"a+b")),
        "name-empty": note(text, good.replace(b"example.com/log", b"")),
        "signature-not-canonical": note(text, not_canonical(good)),
        "signature-four-bytes": note(text, f"— example.com/log {b64(bytes(4))}\n".encode()),
        "signature-missing": note(text, "— example.com/log\n".encode()),
        "text-control": by_log(body("1", None, "tab\there")),
        "text-carriage-return": note(text.replace(b"\n", b"\r\n", 1), good),
        "invalid-utf8": note(body("1", None, "x\xff"), good).replace("ÿ".encode(), b"\xff"),
        "surrogate-utf8": note(body("1", None, "x"), good).replace(b"x\n", b"\xed\xa0\x80\n"),
        "overlong-utf8": note(body("1", None, "x"), good).replace(b"x\n", b"\xc0\xaf\n"),
        "too-big": note(body("1", None, "x" * (1 << 20)), good),
        "101-signatures": note(text, *[sign_line(WITNESSES[n % 3], text) for n in range(101)]),
        "100-signatures": note(text, good, *[sign_line(OTHER, bytes([n])) for n in range(99)]),
    }
    return signed


def opened_checkpoint(data: bytes, verifier: Verifier, origin: str | None = None) -> Any:
    checkpoint, opened = open_checkpoint(data, verifier, origin=origin)
    return {
        "origin": checkpoint.origin,
        "size": str(checkpoint.size),
        "root": checkpoint.root.hex(),
        "extensions": list(checkpoint.extensions),
        "body": checkpoint.body(),
        "note": opened_json(opened),
    }


def opened_note(data: bytes, verifiers: list[Verifier]) -> Any:
    return opened_json(open_note(data, verifiers))


def note_cases() -> list[Any]:
    verifier = LOG.verifier()
    cases = []
    for name, data in checkpoint_notes().items():
        cases.append(
            {
                "name": name,
                "note": b64(data),
                "verifiers": [verifier.to_string()],
                "checkpoint": outcome(opened_checkpoint, data, verifier),
                "pinned": outcome(opened_checkpoint, data, verifier, origin="other.org"),
                "note_any": outcome(opened_note, data, [verifier, OTHER.verifier()]),
            }
        )
    # Signatures that hold under the cofactorless equation, so that WebCrypto
    # alone would accept them, but that libsodium refuses: with the identity
    # point as the key, sB == R + hA for R = sB whatever h is; and the same key
    # (or one of order 8) with R = identity and S = 0.
    s = 12345
    s_b = bindings.crypto_scalarmult_ed25519_base_noclamp(s.to_bytes(32, "little"))
    forgeries = {
        "small-order-key-identity": (IDENTITY, s_b + s.to_bytes(32, "little")),
        "small-order-key-and-r-identity": (IDENTITY, IDENTITY + bytes(32)),
        "small-order-key-and-r-order-8": (ORDER8, IDENTITY + bytes(32)),
    }
    for name, (key, signature) in forgeries.items():
        weak = Verifier.from_public_key("weak", key)
        raw = weak.key_id.to_bytes(4, "big") + signature
        forged = note(body(), f"— weak {b64(raw)}\n".encode())
        cases.append(
            {
                "name": name,
                "note": b64(forged),
                "verifiers": [weak.to_string()],
                "checkpoint": outcome(opened_checkpoint, forged, weak),
            }
        )
    return cases


def key_strings() -> list[str]:
    good = LOG.verifier().to_string()
    name, key_id, key64 = good.split("+", 2)
    witness = WITNESSES[0].verifier().to_string()
    return [
        good,
        witness,
        f"{name}+{key_id.upper()}+{key64}",
        f"{name}+{key_id[:7]}+{key64}",
        f"{name}+{key_id}+",
        f"{name}+{key_id}",
        name,
        f"+{key_id}+{key64}",
        f"a b+{key_id}+{key64}",
        f"{name}+00000000+{key64}",
        f"{name}+{key_id}+{key64[:-2]}",
        f"{name}+{key_id}+{b64(bytes([1]) + bytes(31))}",
        f"{name}+{key_id}+{b64(bytes([2]) + bytes(32))}",
        f"{name}+{key_id}+{b64(b'')}",
        f"{name}+{key_id}+{key64[:-1]}B",
        f"  {witness}\n",
        f"\u200b{good}",
        f"名字+{key_id}+{key64}",
    ]


def key_cases() -> list[Any]:
    return [
        {
            "text": text,
            "verifier": outcome(lambda t: Verifier.from_string(t).to_string(), text),
            "witness": outcome(
                lambda t: cosignature.CosignatureVerifier.from_string(t).to_string(), text
            ),
        }
        for text in key_strings()
    ]


if __name__ == "__main__":
    cases = {"notes": note_cases(), "keys": key_cases()}
    print(json.dumps({**cases, "other_verifier": OTHER.verifier().to_string()}))
