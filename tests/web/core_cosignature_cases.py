"""Print, as JSON, witness cosignatures and the verdicts ledger.cosignature gives on them.

tests/web/core-cosignature.test.js runs this and holds
api/web/js/06-cosignature.js to the same verdicts and messages: single
cosignature lines (genuine, with the time, the checkpoint or a bit changed, by
another witness, of the wrong length, with times out of range) and witness
policies of each threshold over notes with none to all of their witnesses.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cunzheng.ledger import cosignature
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.note import Signer

ROOT = base64.b64encode(hashlib.sha256(b"root").digest()).decode()
BODY = f"example.com/log\n42\n{ROOT}\nextension line\n"
AT = 1_790_000_000
LOG = Signer.from_seed("example.com/log", hashlib.sha256(b"log").digest())
WITNESSES = [
    cosignature.CosignatureSigner.from_seed(
        f"witness-{n}.example", hashlib.sha256(f"witness {n}".encode()).digest()
    )
    for n in range(3)
]


def seconds(result: Any) -> Any:
    if isinstance(result, datetime):
        return int(result.timestamp())
    return [[name, int(time.timestamp())] for name, time in result]


def outcome(run: Callable[..., Any], *args: Any) -> Any:
    """Return {"ok": run(*args)} with times as POSIX seconds, or the LedgerError it raises."""
    try:
        return {"ok": seconds(run(*args))}
    except LedgerError as e:
        return {"error": type(e).__name__, "message": str(e)}


def raw_line(witness: cosignature.CosignatureSigner, timestamp: int, body: str) -> str:
    """Return a cosignature line at any 64-bit *timestamp*, as cosign() would write it."""
    signature = witness.sign(cosignature.signed_message(body, timestamp))
    raw = witness.key_id.to_bytes(4, "big") + timestamp.to_bytes(8, "big") + signature
    return f"— {witness.name} {base64.b64encode(raw).decode()}\n"


def flipped(line: str, byte: int) -> str:
    name, spelled = line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(spelled))
    raw[byte] ^= 0x01
    return f"{name} {base64.b64encode(bytes(raw)).decode()}\n"


def line_cases() -> list[Any]:
    note = BODY + "\n" + f"— {LOG.name} {base64.b64encode(bytes(68)).decode()}\n"
    good = cosignature.cosign(BODY, WITNESSES[0], at=AT)
    lines = {
        "genuine": (note, good),
        "body-alone": (BODY, good),
        "without-newline": (note, good[:-1]),
        "time-altered": (note, flipped(good, 11)),
        "signature-altered": (note, flipped(good, 40)),
        "checkpoint-altered": (note.replace("\n42\n", "\n43\n"), good),
        "other-witness": (note, cosignature.cosign(BODY, WITNESSES[1], at=AT)),
        "truncated": (note, good.replace(good.split()[-1], good.split()[-1][:-8] + "AAAA")),
        "timestamp-over-2-63": (note, raw_line(WITNESSES[0], 1 << 63, BODY)),
        "timestamp-after-9999": (note, raw_line(WITNESSES[0], 253402300800, BODY)),
        "timestamp-last-second": (note, raw_line(WITNESSES[0], 253402300799, BODY)),
        "timestamp-zero": (note, raw_line(WITNESSES[0], 0, BODY)),
        "two-lines": (note, good + good),
        "not-a-checkpoint": ("just text\n\n" + good, good),
    }
    verifier = WITNESSES[0].verifier()
    return [
        {
            "name": name,
            "note": text,
            "line": line,
            "verifier": verifier.to_string(),
            "verdict": outcome(cosignature.verify_cosignature, text, line, verifier),
        }
        for name, (text, line) in lines.items()
    ]


def policy_check(witnesses: list[str], threshold: int, note: str) -> Any:
    verifiers = [cosignature.CosignatureVerifier.from_string(w) for w in witnesses]
    return cosignature.WitnessPolicy(verifiers, threshold).check(note)


def policy_cases() -> list[Any]:
    log_line = f"— {LOG.name} {base64.b64encode(LOG.key_id.to_bytes(4, 'big') + LOG.sign(BODY.encode())).decode()}\n"
    cosigs = [cosignature.cosign(BODY, w, at=AT + n) for n, w in enumerate(WITNESSES)]
    notes = {
        "none": BODY + "\n" + log_line,
        "first": BODY + "\n" + log_line + cosigs[0],
        "first-two": BODY + "\n" + log_line + cosigs[0] + cosigs[1],
        "all": BODY + "\n" + cosigs[2] + log_line + cosigs[1] + cosigs[0],
        "repeated": BODY + "\n" + log_line + cosigs[0] + cosigs[0],
        "bad-then-good": BODY + "\n" + log_line + flipped(cosigs[1], 30) + cosigs[1] + cosigs[0],
        "good-then-bad": BODY + "\n" + log_line + cosigs[1] + flipped(cosigs[1], 30),
        "malformed": BODY + "\n" + log_line + "— witness-0.example AAAA\n",
    }
    keys = [w.verifier().to_string() for w in WITNESSES]
    cases = []
    for witnesses in (keys, keys[:1], keys + keys[:1]):
        for threshold in range(0, len(witnesses) + 2):
            for name, note in notes.items():
                cases.append(
                    {
                        "name": f"{name}, {threshold} of {len(witnesses)}",
                        "witnesses": witnesses,
                        "threshold": threshold,
                        "note": note,
                        "verdict": outcome(policy_check, witnesses, threshold, note),
                    }
                )
    return cases


if __name__ == "__main__":
    print(json.dumps({"lines": line_cases(), "policies": policy_cases()}))
