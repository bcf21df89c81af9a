"""Checkpoint checks: each checkpoint is the log's, and the later ones extend the earlier ones.

The verifier opens the bundle checkpoint, each earlier checkpoint and the
log's current checkpoint with the log key, pinned to the log's origin, and
checks with RFC 9162 consistency proofs that the tree only grew from one to
the next. A larger tree signed before a smaller one shows that the log
shrank; the same size with another root, or a proof that fails, shows a
fork: two histories signed by one key. Each outcome is a ``Check`` whose
reason codes start with ``checkpoint.``, ``earlier.`` or ``current.``. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import InvalidProof, InvalidSignature, LedgerError
from cunzheng.ledger.note import Checkpoint, Note, Verifier, open_checkpoint
from cunzheng.ledger.verify.report import Check, Fact, Outcome
from cunzheng.schemas.bundles import EarlierCheckpoint

CurrentCheckpoint = tuple[str, Sequence[bytes]]
"""The log's current signed checkpoint and the consistency proof to it from the bundle checkpoint."""

# The check each kind of checkpoint is reported under, and what it is about.
_KINDS = {
    "checkpoint": ("checkpoint", "log"),
    "earlier": ("earlier_checkpoint", "earlier:?"),
    "current": ("current_checkpoint", "current"),
}


def open_as(note: str, key: Verifier, origin: str, prefix: str) -> tuple[Checkpoint, Note] | Check:
    """Return the checkpoint in *note* and its note if *key* signed it for *origin*, else the failed check."""
    kind, subject = _KINDS[prefix]
    facts: dict[str, Fact] = {"key": key.to_string(), "origin": origin}
    try:
        cp, opened = open_checkpoint(note, key)
    except InvalidSignature as e:
        return Check(kind, subject, Outcome.FAILED, f"{prefix}.not_signed", True, facts, e.message)
    except LedgerError as e:
        return Check(kind, subject, Outcome.FAILED, f"{prefix}.malformed", True, facts, e.message)
    if cp.origin != origin:
        reason = "checkpoint.wrong_origin" if prefix == "checkpoint" else f"{prefix}.malformed"
        detail = f"the checkpoint is for log {cp.origin!r}, not {origin!r}"
        facts["found"] = cp.origin
        return Check(kind, subject, Outcome.FAILED, reason, True, facts, detail)
    return cp, opened


def bundle_checkpoint(
    note: str, key: Verifier, origin: str
) -> tuple[tuple[Checkpoint, Note] | None, Check]:
    """Return the opened bundle checkpoint (None if it does not open) and its check."""
    opened = open_as(note, key, origin, "checkpoint")
    if isinstance(opened, Check):
        return None, opened
    cp = opened[0]
    facts: dict[str, Fact] = {"origin": cp.origin, "size": cp.size, "root": cp.root.hex()}
    return opened, Check("checkpoint", "log", Outcome.PASSED, "checkpoint.signed", True, facts)


def earlier_checks(
    earlier: Sequence[EarlierCheckpoint], key: Verifier, origin: str, cp: Checkpoint | None
) -> list[Check]:
    """Return the check of each earlier checkpoint: the log's, and extended by the bundle checkpoint *cp*."""
    checks = []
    for item in earlier:
        if cp is None:
            checks.append(unusable("earlier_checkpoint", "earlier:?"))
            continue
        opened = open_as(item.checkpoint, key, origin, "earlier")
        if isinstance(opened, Check):
            checks.append(opened)
            continue
        old = opened[0]
        checks.append(
            _extends(
                "earlier",
                f"earlier:{old.size}",
                old,
                cp,
                item.consistency_proof,
                {"old_size": old.size},
            )
        )
    return checks


def current_check(
    current: CurrentCheckpoint | None, key: Verifier, origin: str, cp: Checkpoint | None
) -> Check:
    """Return the check that the log's *current* checkpoint extends the bundle checkpoint *cp*."""
    if current is None:
        return Check(
            "current_checkpoint", "current", Outcome.NOT_CHECKED, "current.not_consulted", False
        )
    if cp is None:
        return unusable("current_checkpoint", "current")
    note, proof = current
    opened = open_as(note, key, origin, "current")
    if isinstance(opened, Check):
        return opened
    new = opened[0]
    return _extends("current", "current", cp, new, proof, {"new_size": new.size})


def unusable(kind: str, subject: str, facts: dict[str, Fact] | None = None) -> Check:
    """Return the required check that could not be made because the bundle checkpoint did not verify."""
    return Check(kind, subject, Outcome.NOT_CHECKED, "checkpoint.unusable", True, facts or {})


def _extends(
    prefix: str,
    subject: str,
    old: Checkpoint,
    new: Checkpoint,
    proof: Sequence[bytes],
    facts: dict[str, Fact],
) -> Check:
    """Return the check that tree *new* extends tree *old*: consistent, shrunk or forked."""
    kind = _KINDS[prefix][0]
    bundle_size = new.size if prefix == "earlier" else old.size
    check = Check(
        kind, subject, Outcome.PASSED, f"{prefix}.consistent", True, {"size": bundle_size, **facts}
    )
    if new.size < old.size:
        detail = f"a checkpoint of {old.size} entries was signed before one of {new.size}"
        return replace(check, outcome=Outcome.FAILED, reason=f"{prefix}.shrunk", detail=detail)
    try:
        merkle.verify_consistency(
            old_size=old.size,
            new_size=new.size,
            old_root=old.root,
            new_root=new.root,
            proof=list(proof),
        )
    except InvalidProof as e:
        return replace(check, outcome=Outcome.FAILED, reason=f"{prefix}.fork", detail=e.message)
    return check
