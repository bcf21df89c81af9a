"""Independent times for a bundle: RFC 3161 tokens over its checkpoint and witness cosignatures of it.

A time-stamp token over the bundle checkpoint (its message imprint is the
SHA-256 of the signed note, ``checkpoint_imprint``) says that a TSA saw the
checkpoint, and so every entry it commits to, by genTime (within its
accuracy). A witness cosignature (C2SP tlog-cosignature) says the same by
the witness's clock, in whole seconds (so no later than that second's end).
Neither rests on the operator's clock, so each is an upper bound a court can
rely on: "the data existed no later than T".

``timestamp_checks`` checks each token with ``ledger.tsa.verify.verify_token``
against the TSA roots the verifier was given; without any, the tokens are
reported as not checked. ``cosignature_checks`` checks the cosignatures
against a ``WitnessPolicy`` (the witnesses the verifier names and how many
must have cosigned); without one, they are listed as not checked. Pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509

from cunzheng.ledger.clock import format_time
from cunzheng.ledger.cosignature import WitnessPolicy, checkpoint_body, parse_line
from cunzheng.ledger.errors import InvalidProof, InvalidSignature, LedgerError
from cunzheng.ledger.note import Checkpoint, Signature, Verifier, open_checkpoint
from cunzheng.ledger.tsa.tokens import read_token
from cunzheng.ledger.tsa.verify import verify_token
from cunzheng.ledger.verify.report import Check, Fact, Outcome
from cunzheng.schemas.bundles import BundleCosignature

TrustRoot = bytes | x509.Certificate
# A cosignature's time is in whole POSIX seconds, rounded down: it signed before the next second.
COSIGNATURE_RESOLUTION = timedelta(seconds=1)


@dataclass(frozen=True)
class IndependentTime:
    """The earliest upper bound on the checkpoint's time that a check established, whose it is, and the time it stated."""

    latest: datetime
    by: str
    stated: datetime | None = None


def checkpoint_imprint(note: str) -> bytes:
    """Return the digest a time-stamp token over the signed checkpoint *note* must carry."""
    return hashlib.sha256(note.encode()).digest()


def cosigned_note(note: str, cosignatures: Sequence[BundleCosignature]) -> str:
    """Return the checkpoint *note* with each witness's cosignature line appended."""
    return note + "".join(f"— {c.witness} {c.signature}\n" for c in cosignatures)


def witness_lines(
    note: str, cosignatures: Sequence[BundleCosignature], key: Verifier
) -> tuple[Signature, ...]:
    """Return the witness signature lines of checkpoint *note*: those in it and *cosignatures*."""
    try:
        return open_checkpoint(cosigned_note(note, cosignatures), key)[1].unverified
    except LedgerError:
        return tuple(parse_line(f"— {c.witness} {c.signature}") for c in cosignatures)


def timestamp_checks(
    tokens: Sequence[bytes], note: str, cp: Checkpoint | None, roots: Sequence[TrustRoot]
) -> tuple[list[Check], IndependentTime | None]:
    """Return the check of each token over checkpoint *note*, and the earliest time they establish."""
    if not tokens:
        return [Check("timestamps", "bundle", Outcome.NOT_CHECKED, "timestamps.none", False)], None
    checks: list[Check] = []
    earliest: IndependentTime | None = None
    for n, token in enumerate(tokens, start=1):
        subject = f"timestamp:{n}"
        facts: dict[str, Fact] = {"name": n}
        if not roots:
            checks.append(
                Check(
                    "timestamp",
                    subject,
                    Outcome.NOT_CHECKED,
                    "timestamp.not_checked",
                    False,
                    facts,
                    _claimed(token),
                )
            )
            continue
        if cp is None:
            checks.append(
                Check("timestamp", subject, Outcome.NOT_CHECKED, "checkpoint.unusable", True, facts)
            )
            continue
        facts["size"] = cp.size
        try:
            info = verify_token(token, digest=checkpoint_imprint(note), trust_roots=roots)
        except InvalidProof as e:
            checks.append(_failed("timestamp", subject, "timestamp.other_digest", facts, e.message))
            continue
        except InvalidSignature as e:
            checks.append(_failed("timestamp", subject, "timestamp.untrusted", facts, e.message))
            continue
        except LedgerError as e:
            checks.append(_failed("timestamp", subject, "timestamp.malformed", facts, e.message))
            continue
        facts |= {
            "tsa_subject": info.tsa_subject,
            "gen_time": format_time(info.gen_time),
            "tsa_time": format_time(info.latest),
        }
        checks.append(Check("timestamp", subject, Outcome.PASSED, "timestamp.trusted", True, facts))
        if earliest is None or info.latest < earliest.latest:
            earliest = IndependentTime(info.latest, info.tsa_subject, info.gen_time)
    return checks, earliest


def cosignature_checks(
    witnessed: Sequence[Signature],
    cosigned: str,
    cp: Checkpoint | None,
    policy: WitnessPolicy | None,
) -> tuple[list[Check], IndependentTime | None]:
    """Return the checks of the witness signature lines of note *cosigned* under *policy*, and the earliest time."""
    if not witnessed and policy is None:
        return [
            Check("cosignatures", "bundle", Outcome.NOT_CHECKED, "cosignatures.none", False)
        ], None
    if policy is None:
        return [
            Check(
                "cosignature",
                f"witness:{s.name}",
                Outcome.NOT_CHECKED,
                "cosignature.not_checked",
                False,
                {"witness": s.name},
                _claimed_time(s),
            )
            for s in witnessed
        ], None
    if cp is None:
        return [
            Check("witness_policy", "witnesses", Outcome.NOT_CHECKED, "checkpoint.unusable", True)
        ], None
    checks, times = _named_checks(witnessed, cosigned, policy)
    facts: dict[str, Fact] = {
        "threshold": policy.threshold,
        "named": len(policy.witnesses),
        "cosigned": len(times),
        "witnesses": ", ".join(times) or "—",
    }
    try:
        policy.check(cosigned)
    except LedgerError as e:
        checks.append(
            _failed("witness_policy", "witnesses", "witnesses.policy_not_met", facts, e.message)
        )
        return checks, None
    checks.append(
        Check("witness_policy", "witnesses", Outcome.PASSED, "witnesses.policy_met", True, facts)
    )
    first = min(times.items(), key=lambda item: item[1])
    return checks, IndependentTime(first[1], first[0], first[1] - COSIGNATURE_RESOLUTION)


def _named_checks(
    witnessed: Sequence[Signature], cosigned: str, policy: WitnessPolicy
) -> tuple[list[Check], dict[str, datetime]]:
    """Return a check per named witness and per other signer, and the times of the valid cosignatures."""
    body = checkpoint_body(cosigned)
    by_key: dict[tuple[str, int], Signature] = {}
    for s in witnessed:
        by_key.setdefault((s.name, s.key_id), s)
    named = {(w.name, w.key_id) for w in policy.witnesses}
    checks: list[Check] = []
    times: dict[str, datetime] = {}
    for witness in policy.witnesses:
        subject = f"witness:{witness.name}"
        facts: dict[str, Fact] = {"witness": witness.name}
        found = by_key.get((witness.name, witness.key_id))
        if found is None:
            checks.append(
                Check(
                    "cosignature", subject, Outcome.NOT_CHECKED, "cosignature.absent", False, facts
                )
            )
            continue
        try:
            at = witness.verify(body, found.signature)
        except LedgerError as e:
            checks.append(_failed("cosignature", subject, "cosignature.invalid", facts, e.message))
            continue
        times[witness.name] = at + COSIGNATURE_RESOLUTION
        facts |= {"time": format_time(at), "bound": format_time(at + COSIGNATURE_RESOLUTION)}
        checks.append(
            Check("cosignature", subject, Outcome.PASSED, "cosignature.valid", True, facts)
        )
    for key, s in by_key.items():
        if key not in named:
            checks.append(
                Check(
                    "cosignature",
                    f"witness:{s.name}",
                    Outcome.NOT_CHECKED,
                    "cosignature.unnamed",
                    False,
                    {"witness": s.name},
                    _claimed_time(s),
                )
            )
    return checks, times


def _claimed(token: bytes) -> str:
    """Return what a token claims, unchecked, for the report's technical detail."""
    try:
        info = read_token(token)
    except LedgerError as e:
        return f"the token does not parse: {e.message}"
    return f"unchecked, the token claims TSA {info.tsa_subject!r} at {format_time(info.gen_time)}"


def _claimed_time(signature: Signature) -> str:
    """Return the time a cosignature line claims, unchecked, for the report's technical detail."""
    if len(signature.signature) < 8:
        return "the cosignature is too short to hold a time"
    seconds = int.from_bytes(signature.signature[:8], "big")
    try:
        return f"unchecked, the cosignature claims time {format_time(datetime.fromtimestamp(seconds, UTC))}"
    except (OverflowError, OSError, ValueError):
        return f"unchecked, the cosignature claims time {seconds} (POSIX seconds)"


def _failed(check: str, subject: str, reason: str, facts: dict[str, Fact], detail: str) -> Check:
    return Check(check, subject, Outcome.FAILED, reason, True, facts, detail)
