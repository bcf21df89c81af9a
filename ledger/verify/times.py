"""Each entry's own independent time: the evidence of the first time-stamped checkpoint that held it.

The tokens and cosignatures of the bundle checkpoint bound every entry by
the time the bundle was made, which may be a year after the entry was
logged. So each entry also names (``timed_by``) the first checkpoint with
independent evidence that held it: the bundle checkpoint itself, or one of
the bundle's ``timed_checkpoints``, carried once however many entries share
it. For that checkpoint the verifier checks that the log key signed it, that
the bundle checkpoint extends it (RFC 9162 consistency proof: the entry,
proved in the bundle checkpoint at an index below that checkpoint's size,
was already in it), its RFC 3161 tokens (imprint over its note, signature,
chain against the TSA roots given) and its witness cosignatures (the witness
policy given). Each entry then gets one check, ``entry_time``, whose reason
code says what its time rests on or why it fails, naming the entry.

An entry must name the first checkpoint, among those the bundle carries,
that holds it, and every timed checkpoint must be named by some entry, so
evidence moved between entries fails. That no checkpoint with evidence came
before it in the log cannot be checked offline: a bundle that left such
evidence out gives a later, still true, bound. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from cunzheng.ledger.clock import format_time
from cunzheng.ledger.cosignature import WitnessPolicy, checkpoint_body
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.note import Checkpoint, Verifier, parse_tree_size
from cunzheng.ledger.verify.attestations import (
    IndependentTime,
    TrustRoot,
    cosignature_checks,
    cosigned_note,
    timestamp_checks,
    witness_lines,
)
from cunzheng.ledger.verify.checkpoints import earlier_checks, unusable
from cunzheng.ledger.verify.report import Check, Fact, Outcome
from cunzheng.schemas.bundles import EarlierCheckpoint, TimedCheckpoint

# Shown for a kind of evidence that established nothing, so that every template fact is filled.
NONE: str = "—"


@dataclass(frozen=True)
class TimedEntry:
    """An entry as its time check needs it: where it is, when the log says, and which checkpoint times it."""

    index: int
    logged_at: str
    timed_by: int | None


def checkpoint_time(
    size: int,
    stamped: Sequence[Check],
    tsa: IndependentTime | None,
    witnessed: Sequence[Check],
    witness: IndependentTime | None,
) -> Check:
    """Return what the checks of one checkpoint's tokens and cosignatures establish about the entries it holds.

    The check is about ``timed:<size>``; ``entry_checks`` gives each entry
    its own copy.
    """
    subject = f"timed:{size}"
    facts: dict[str, Fact] = {"size": size}
    for c in (*stamped, *witnessed):
        if c.required and c.outcome is not Outcome.PASSED:
            failed = "timestamp" if c.check == "timestamp" else "witnesses"
            facts |= {"cause": c.reason, "what": c.subject.partition(":")[2] or c.subject}
            reason = f"entry_time.{failed}_failed"
            return Check("entry_time", subject, Outcome.FAILED, reason, True, facts, c.detail)
    if tsa is None and witness is None:
        facts |= {
            "tokens": sum(c.check == "timestamp" for c in stamped),
            "cosignatures": sum(c.check == "cosignature" for c in witnessed),
        }
        return Check(
            "entry_time", subject, Outcome.NOT_CHECKED, "entry_time.not_checked", False, facts
        )
    bounds = [t.latest for t in (tsa, witness) if t is not None]
    facts["time"] = format_time(min(bounds))
    facts |= _tsa_facts(tsa) | _witness_facts(witness, witnessed)
    return Check("entry_time", subject, Outcome.PASSED, "entry_time.established", True, facts)


def timed_checkpoint_times(
    items: Sequence[TimedCheckpoint],
    *,
    key: Verifier,
    origin: str,
    cp: Checkpoint | None,
    tsa_roots: Sequence[TrustRoot],
    witnesses: WitnessPolicy | None,
) -> tuple[dict[int, Check], list[Check]]:
    """Return what each of the bundle's timed checkpoints establishes, by the size its note states, and the checks of those no size names.

    A timed checkpoint whose note states no size, or the size of the bundle
    checkpoint or of one before it in the list, cannot be named by an entry:
    it fails as unnamed.
    """
    times: dict[int, Check] = {}
    stray: list[Check] = []
    for item in items:
        size = _stated_size(item.checkpoint)
        if size is None or size in times or (cp is not None and size == cp.size):
            shown: Fact = NONE if size is None else size
            stray.append(_unnamed(shown))
            continue
        times[size] = _timed(item, size, key, origin, cp, tsa_roots, witnesses)
    return times, stray


def entry_checks(
    entries: Sequence[TimedEntry], times: Mapping[int, Check], cp: Checkpoint | None
) -> tuple[dict[int, Check], list[Check]]:
    """Return each entry's time check, by index, and a failed check for each timed checkpoint no entry names.

    *times* holds what each checkpoint's evidence establishes, by size, the
    bundle checkpoint's among them.
    """
    out: dict[int, Check] = {}
    named: set[int] = set()
    for entry in entries:
        subject = f"entry:{entry.index}"
        facts: dict[str, Fact] = {"index": entry.index, "logged_at": entry.logged_at}
        if cp is None:
            out[entry.index] = unusable("entry_time", subject, facts)
            continue
        if entry.timed_by is None:
            out[entry.index] = Check(
                "entry_time", subject, Outcome.NOT_CHECKED, "entry_time.none", False, facts
            )
            continue
        named.add(entry.timed_by)
        facts["size"] = entry.timed_by
        base = times.get(entry.timed_by)
        first = min((s for s in times if s > entry.index), default=None)
        if entry.index >= entry.timed_by:
            reason = "entry_time.not_covered"
        elif base is None:
            reason = "entry_time.missing"
        elif first != entry.timed_by:
            # The builder names the first; a later one is a weaker bound, so it was moved.
            reason = "entry_time.not_first"
            facts["first"] = str(first)
        else:
            out[entry.index] = replace(base, subject=subject, facts={**base.facts, **facts})
            continue
        out[entry.index] = Check("entry_time", subject, Outcome.FAILED, reason, True, facts)
    unnamed = [
        _unnamed(size)
        for size in sorted(times)
        if size not in named and (cp is None or size != cp.size)
    ]
    return out, unnamed


def _unnamed(size: Fact) -> Check:
    """Return the failed check of timed evidence no entry can name: moved to another entry, added, or altered."""
    return Check(
        "entry_time", f"timed:{size}", Outcome.FAILED, "entry_time.unnamed", True, {"size": size}
    )


def finding_facts(check: Check) -> dict[str, Fact]:
    """Return the facts of an established entry time that a finding shows: its bounds, whose, and the checkpoint."""
    if check.reason != "entry_time.established":
        return {}
    keys = ("tsa_time", "tsa_subject", "gen_time", "witness_time", "witness", "witnesses")
    out: dict[str, Fact] = {k: check.facts[k] for k in keys if check.facts.get(k, NONE) != NONE}
    return out | {"timed_size": check.facts["size"], "entry_time": check.facts["time"]}


def _timed(
    item: TimedCheckpoint,
    size: int,
    key: Verifier,
    origin: str,
    cp: Checkpoint | None,
    tsa_roots: Sequence[TrustRoot],
    witnesses: WitnessPolicy | None,
) -> Check:
    """Return what one timed checkpoint establishes: its consistency with *cp*, then its evidence."""
    earlier = EarlierCheckpoint(
        checkpoint=item.checkpoint, consistency_proof=item.consistency_proof
    )
    (linked,) = earlier_checks([earlier], key, origin, cp)
    if linked.outcome is not Outcome.PASSED:
        reason = linked.reason
        if reason.startswith("earlier."):
            reason = "entry_time." + reason.removeprefix("earlier.")
        facts: dict[str, Fact] = {**linked.facts, "size": size}
        return replace(
            linked, check="entry_time", subject=f"timed:{size}", reason=reason, facts=facts
        )
    timed = Checkpoint.parse(checkpoint_body(item.checkpoint))
    tokens = [t.token for t in item.timestamps]
    stamped, tsa = timestamp_checks(tokens, item.checkpoint, timed, tsa_roots)
    lines = witness_lines(item.checkpoint, item.cosignatures, key)
    cosigned = cosigned_note(item.checkpoint, item.cosignatures)
    witnessed, witness = cosignature_checks(lines, cosigned, timed, witnesses)
    return checkpoint_time(size, stamped, tsa, witnessed, witness)


def _stated_size(note: str) -> int | None:
    """Return the tree size on the second line of *note*, unverified, to find the entries that name it."""
    lines = note.split("\n")
    try:
        return parse_tree_size(lines[1]) if len(lines) > 2 else None
    except MalformedInput:
        return None


def _tsa_facts(tsa: IndependentTime | None) -> dict[str, Fact]:
    if tsa is None:
        return {"tsa_subject": NONE, "gen_time": NONE, "tsa_time": NONE}
    stated = NONE if tsa.stated is None else format_time(tsa.stated)
    return {"tsa_subject": tsa.by, "gen_time": stated, "tsa_time": format_time(tsa.latest)}


def _witness_facts(witness: IndependentTime | None, witnessed: Sequence[Check]) -> dict[str, Fact]:
    if witness is None:
        return {"witness": NONE, "witnesses": NONE, "witness_time": NONE}
    met = next((c for c in witnessed if c.reason == "witnesses.policy_met"), None)
    names = str(met.facts.get("witnesses", witness.by)) if met is not None else witness.by
    return {"witness": witness.by, "witnesses": names, "witness_time": format_time(witness.latest)}
