"""The offline verifier of evidence bundles: the bundle, the log's public key and the files.

``verify_bundle`` checks an evidence bundle (``schemas.bundles``) and never
raises for bad input: it returns a ``ledger.report.Report`` that lists every
check with its outcome and reason code. The bundle must be well formed; its
checkpoint signed by the log key; each entry's statement signed and its leaf
included in that checkpoint; each evidence entry's key registered by a party
entry logged before it and not revoked when it was logged, and each party and
registry entry allowed by the rules (``ledger.replay``), under the log's own
registry settings when the bundle proves that it carries every
``log.settings`` entry (``ledger.verify.settings``); each presented file
and disclosure must match a logged digest or dataset root
(``ledger.contents``); each earlier checkpoint, and the log's current one if
given, must be consistent with the bundle checkpoint (``ledger.consistency``);
a claimed answer to a court's question must rest on every entry that bears
on it, by the index proofs the bundle carries (``ledger.verify.completeness``),
and be what the entries give (``ledger.claims``). RFC 3161 tokens and witness cosignatures of the bundle
checkpoint are checked against the TSA roots and the witness policy the
caller gives (``ledger.attestations``), and so is the evidence of the first
time-stamped checkpoint each entry names, with its consistency proof
(``ledger.verify.times``). Everything here is pure: the caller
reads the files and fetches the current checkpoint.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from cunzheng.ledger import merkle
from cunzheng.ledger.bodies import EvidenceDataset, EvidenceTimestamp, body_as
from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.cosignature import WitnessPolicy, parse_line
from cunzheng.ledger.disclosure import disclosure_json
from cunzheng.ledger.errors import InvalidProof, InvalidSignature, MalformedInput
from cunzheng.ledger.index import SETTINGS_KEY
from cunzheng.ledger.note import Checkpoint, Verifier
from cunzheng.ledger.registry.policy import DEFAULT_POLICY
from cunzheng.ledger.statements import Statement, check_signature, json_leaf, parse_statement
from cunzheng.ledger.verify.attestations import (
    IndependentTime,
    TrustRoot,
    cosignature_checks,
    cosigned_note,
    timestamp_checks,
    witness_lines,
)
from cunzheng.ledger.verify.checkpoints import (
    CurrentCheckpoint,
    bundle_checkpoint,
    current_check,
    earlier_checks,
    unusable,
)
from cunzheng.ledger.verify.claims import check_claim
from cunzheng.ledger.verify.completeness import check_completeness
from cunzheng.ledger.verify.presented import Contents, check_contents
from cunzheng.ledger.verify.replay import ReplayEntry, replay
from cunzheng.ledger.verify.report import Check, Fact, Finding, Outcome, Report
from cunzheng.ledger.verify.settings import check_settings
from cunzheng.ledger.verify.times import (
    TimedEntry,
    checkpoint_time,
    entry_checks,
    finding_facts,
    timed_checkpoint_times,
)
from cunzheng.ledger.wire import parse_model
from cunzheng.schemas.bundles import (
    BUNDLE_FORMAT,
    ROLE_OF_FAMILY,
    Bundle,
    BundleCosignature,
    BundleEntry,
)

# Evidence bundles ------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    model: BundleEntry
    statement: Statement
    logged_at: datetime


def parse_bundle(data: bytes | str) -> Bundle:
    """Return the bundle in *data*, or raise MalformedInput naming the first field that is wrong."""
    return parse_model(Bundle, data, what="bundle", fmt=BUNDLE_FORMAT)


def bundle_json(bundle: Bundle) -> bytes:
    """Return the bundle as indented JSON, the form written to bundle files."""
    return bundle.model_dump_json(indent=2, exclude_none=True).encode() + b"\n"


def verify_bundle(
    data: bytes | str,
    *,
    log_key: Verifier | None,
    files: Mapping[str, bytes] | None = None,
    disclosures: Sequence[tuple[str, bytes]] = (),
    current: CurrentCheckpoint | None = None,
    tsa_roots: Sequence[TrustRoot] = (),
    witnesses: WitnessPolicy | None = None,
) -> Report:
    """Return the report of every check on the bundle in *data*, against the given files and disclosures.

    *log_key* is the log's verifier key, obtained independently; if None,
    the key the bundle names is used and the report says so. *files* maps a
    name to the SHA-256 of a presented file; *disclosures* are (name, bytes)
    of presented disclosure files; *current* is the log's current checkpoint
    with the consistency proof from the bundle checkpoint to it. *tsa_roots*
    are the CA certificates of trusted TSAs and *witnesses* the witnesses
    trusted and how many must cosign; without them, the bundle's tokens and
    cosignatures are reported as not checked.
    """
    try:
        bundle, entries = _well_formed(data)
    except MalformedInput as e:
        malformed = Check("bundle", "bundle", Outcome.FAILED, "bundle.malformed", detail=e.message)
        return Report((malformed,))
    facts: dict[str, Fact] = {"format": bundle.format, "entries": len(entries)}
    checks = [Check("bundle", "bundle", Outcome.PASSED, "bundle.well_formed", facts=facts)]
    key, key_check = _log_key(bundle, log_key)
    opened, cp_check = bundle_checkpoint(bundle.checkpoint, key, bundle.log.origin)
    checks += [key_check, cp_check]
    cp = opened[0] if opened else None
    per_entry, replayed, settings = _entry_checks(bundle, entries, cp)
    if settings is not None:
        checks.append(settings)
    evidence = [(e.model.index, e.statement) for e in entries if e.model.role == "evidence"]
    presented = [*_bundled_disclosures(bundle), *disclosures]
    contents = check_contents(evidence, files=files or {}, disclosures=presented)
    for index, extra in contents.by_entry.items():
        per_entry[index].extend(extra)
    tokens = [t.token for t in bundle.timestamps]
    stamped, tsa = timestamp_checks(tokens, bundle.checkpoint, cp, tsa_roots)
    cosigned = cosigned_note(bundle.checkpoint, bundle.cosignatures)
    lines = witness_lines(bundle.checkpoint, bundle.cosignatures, key)
    witnessed, witness = cosignature_checks(lines, cosigned, cp, witnesses)
    times, stray = timed_checkpoint_times(
        bundle.timed_checkpoints,
        key=key,
        origin=bundle.log.origin,
        cp=cp,
        tsa_roots=tsa_roots,
        witnesses=witnesses,
    )
    if cp is not None:
        times[cp.size] = checkpoint_time(cp.size, stamped, tsa, witnessed, witness)
    timed = [TimedEntry(e.model.index, e.model.logged_at, e.model.timed_by) for e in entries]
    entry_times, unnamed = entry_checks(timed, times, cp)
    for index, check in entry_times.items():
        per_entry[index].append(check)
    for own in per_entry.values():
        checks.extend(own)
    checks.extend(contents.unmatched)
    checks.extend(earlier_checks(bundle.earlier_checkpoints, key, bundle.log.origin, cp))
    checks.append(current_check(current, key, bundle.log.origin, cp))
    checks += stamped + witnessed + stray + unnamed
    if bundle.claim is not None:
        registry = [e.model.index for e in entries if e.model.role == "registry"]
        proved = {e.index: e.proved for e in replayed if e.index in set(registry)}
        checks.append(check_completeness(bundle.claim, bundle.index, cp, proved))
        checks.append(check_claim(bundle.claim, replayed, registry))
    report_log: dict[str, Fact] = {
        "origin": bundle.log.origin,
        "key": key.to_string(),
        "key_source": "given" if log_key is not None else "bundle",
        "size": cp.size if cp else "?",
        "root": cp.root.hex() if cp else "?",
    }
    report_log |= _times(tsa, witness)
    findings = _findings(entries, per_entry, contents, checks)
    return Report(tuple(checks), findings, report_log)


def _well_formed(data: bytes | str) -> tuple[Bundle, list[_Entry]]:
    """Return the bundle and its parsed entries, or raise MalformedInput saying where it is wrong."""
    bundle = parse_bundle(data)
    try:
        vkey = Verifier.from_string(bundle.log.verifier_key)
    except MalformedInput as e:
        raise MalformedInput(f"log.verifier_key: {e}") from None
    if vkey.to_string() != bundle.log.verifier_key:
        raise MalformedInput("log.verifier_key: not in canonical form")
    entries: list[_Entry] = []
    for n, model in enumerate(bundle.entries):
        where = f"entries.{n}"
        try:
            statement = parse_statement(model.statement)
            logged_at = parse_time(model.logged_at, what="logged_at")
        except MalformedInput as e:
            raise MalformedInput(f"{where}: {e}") from None
        role = ROLE_OF_FAMILY.get(statement.type.partition(".")[0])
        if role is None:
            raise MalformedInput(
                f"{where}: a bundle holds evidence, party and registry entries, not {statement.type}"
            )
        if model.role != role:
            raise MalformedInput(
                f"{where}: a {statement.type} entry has role {role}, not {model.role}"
            )
        if entries and model.index <= entries[-1].model.index:
            raise MalformedInput(
                f"{where}: entries must be in increasing index order, without repeats"
            )
        entries.append(_Entry(model, statement, logged_at))
    _check_attestations(bundle)
    # claim.entries out of log order is completeness.order, a check of its own.
    return bundle, entries


def _check_attestations(bundle: Bundle) -> None:
    """Raise MalformedInput unless each cosignature is a well-formed line, one per witness key and checkpoint."""
    _check_cosignatures(bundle.cosignatures, "cosignatures")
    for n, timed in enumerate(bundle.timed_checkpoints):
        _check_cosignatures(timed.cosignatures, f"timed_checkpoints.{n}.cosignatures")


def _check_cosignatures(cosignatures: Sequence[BundleCosignature], where: str) -> None:
    keys = set()
    for n, c in enumerate(cosignatures):
        try:
            line = parse_line(f"— {c.witness} {c.signature}")
        except MalformedInput as e:
            raise MalformedInput(f"{where}.{n}: {e}") from None
        if (line.name, line.key_id) in keys:
            raise MalformedInput(f"{where}.{n}: a second cosignature by the same witness key")
        keys.add((line.name, line.key_id))


def _log_key(bundle: Bundle, given: Verifier | None) -> tuple[Verifier, Check]:
    named = bundle.log.verifier_key
    if given is None:
        facts: dict[str, Fact] = {"key": named}
        check = Check("log_key", "log", Outcome.NOT_CHECKED, "log_key.from_bundle", False, facts)
        return Verifier.from_string(named), check
    facts = {"key": given.to_string(), "bundle_key": named}
    if given.to_string() != named:
        return given, Check("log_key", "log", Outcome.FAILED, "log_key.mismatch", True, facts)
    return given, Check("log_key", "log", Outcome.PASSED, "log_key.given", True, facts)


def _entry_checks(
    bundle: Bundle, entries: Sequence[_Entry], cp: Checkpoint | None
) -> tuple[dict[int, list[Check]], list[ReplayEntry], Check | None]:
    """Return each entry's signature, inclusion and key (or rules) checks, by index, the entries as replayed, and the settings check."""
    per_entry: dict[int, list[Check]] = {}
    replayed = []
    for entry in entries:
        signed, included = _signature(entry), _inclusion(entry, cp)
        per_entry[entry.model.index] = [signed, included]
        proved = signed.outcome is Outcome.PASSED and included.outcome is Outcome.PASSED
        replayed.append(ReplayEntry(entry.model.index, entry.statement, entry.logged_at, proved))
    settings = _settings_check(bundle, entries, replayed, cp)
    # The log's own settings only when the bundle proves it carries them all.
    policy = DEFAULT_POLICY if settings and settings.outcome is Outcome.PASSED else None
    for index, check in replay(replayed, policy=policy).items():
        per_entry[index].append(check)
    return per_entry, replayed, settings


def _settings_check(
    bundle: Bundle,
    entries: Sequence[_Entry],
    replayed: Sequence[ReplayEntry],
    cp: Checkpoint | None,
) -> Check | None:
    """Return the check that the bundle carries every settings entry of the log, or None if nothing rests on them."""
    roles = [e.model.role for e in entries]
    held = {
        r.index: r.proved for r, role in zip(replayed, roles, strict=True) if role == "settings"
    }
    # A claim's index proofs are checked by the completeness check; any other bundle's, here.
    proofs = bundle.index
    if bundle.claim is not None:
        proofs = [p for p in proofs if p.key == SETTINGS_KEY]
    needed = any(role in ("party", "registry") for role in roles)
    return check_settings(proofs, cp, held, needed=needed, required=bundle.claim is not None)


def _signature(entry: _Entry) -> Check:
    s = entry.statement
    facts: dict[str, Fact] = {"index": entry.model.index, "type": s.type, "key": _b64(s.signer)}
    check = Check(
        "signature", f"entry:{entry.model.index}", Outcome.PASSED, "signature.valid", True, facts
    )
    try:
        check_signature(s)
    except InvalidSignature as e:
        return replace(check, outcome=Outcome.FAILED, reason="signature.invalid", detail=e.message)
    return check


def _inclusion(entry: _Entry, cp: Checkpoint | None) -> Check:
    m = entry.model
    facts: dict[str, Fact] = {"index": m.index, "logged_at": m.logged_at}
    if cp is None:
        return unusable("inclusion", f"entry:{m.index}", facts)
    check = Check(
        "inclusion",
        f"entry:{m.index}",
        Outcome.PASSED,
        "inclusion.proved",
        True,
        {**facts, "size": cp.size},
    )
    # The leaf is rebuilt from the bundle's own text, so any change to it changes the leaf hash.
    leaf = json_leaf(m.statement, m.logged_at)
    try:
        merkle.verify_inclusion(
            leaf_hash=merkle.leaf_hash(leaf),
            index=m.index,
            size=cp.size,
            proof=m.inclusion_proof,
            root=cp.root,
        )
    except InvalidProof as e:
        return replace(check, outcome=Outcome.FAILED, reason="inclusion.failed", detail=e.message)
    return check


def _times(tsa: IndependentTime | None, witness: IndependentTime | None) -> dict[str, Fact]:
    """Return the earliest independent times for the report's header."""
    out: dict[str, Fact] = {}
    if tsa is not None:
        out |= {"tsa_time": format_time(tsa.latest), "tsa_subject": tsa.by}
    if witness is not None:
        out |= {"witness_time": format_time(witness.latest), "witness": witness.by}
    return out


def _bundled_disclosures(bundle: Bundle) -> list[tuple[str, bytes]]:
    return [(f"bundle#{n + 1}", disclosure_json(d)) for n, d in enumerate(bundle.disclosures)]


def _findings(
    entries: Sequence[_Entry],
    per_entry: Mapping[int, Sequence[Check]],
    contents: Contents,
    checks: Sequence[Check],
) -> tuple[Finding, ...]:
    """Return what the bundle establishes about each evidence entry."""
    about_entries = ("entry:", "file:", "disclosure:", "claim")
    log_wide = all(
        c.outcome is Outcome.PASSED
        for c in checks
        if c.required and not c.subject.startswith(about_entries)
    )
    findings = []
    for entry in entries:
        if entry.model.role != "evidence":
            continue
        index = entry.model.index
        own = per_entry[index]
        established = log_wide and all(c.outcome is Outcome.PASSED for c in own if c.required)
        facts: dict[str, Fact] = {"logged_at": entry.model.logged_at}
        for c in own:
            if c.reason == "key.valid":
                named = (
                    "key",
                    "party",
                    "name",
                    "kind",
                    "registry_id",
                    "verified",
                    "verified_by",
                    "verified_at",
                )
                facts |= {k: c.facts[k] for k in named if k in c.facts}
            if c.check == "entry_time":
                facts |= finding_facts(c)
        content = entry.statement.content
        if isinstance(content, EvidenceDataset):
            facts |= {"root": content.root.hex(), "count": content.count, "scheme": content.scheme}
        else:
            facts["digest"] = body_as(content, EvidenceTimestamp).sha256.hex()
        files = tuple(contents.files.get(index, ()))
        items = tuple(contents.items.get(index, ()))
        findings.append(Finding(index, entry.statement.type, established, facts, files, items))
    return tuple(findings)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
