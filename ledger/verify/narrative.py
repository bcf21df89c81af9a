"""The narrative of a verified bundle: who did what, when, to which asset, for a judge to read.

``narrative_json(bundle, report)`` turns a bundle's entries and the outcomes
of its report into one JSON-able object, language-free (codes, ids, times),
from which every face of the verifier writes words: the terminal report
(``narrative_text``), the web page (``api/web/js/40-narrative.js``, which
computes the same object from the bundle and ``report_json``) and the PDF
certificate. It reads the report as ``report_json`` gives it, so that the
page, holding only that JSON, computes the same narrative. Pure.

Shape (``format`` ``cunzheng.narrative/v1``; a time is ``{"utc": RFC 3339,
"shown": "2026-11-30 10:00:00 (北京时间) / 2026-11-30 02:00:00 UTC"}``; ids
and digests are hex, keys base64; a value not stated is null)::

    {"format": "cunzheng.narrative/v1",
     "parties": [{"id", "name", "kind", "registry_id", "registry_id_type",
                  "registered_at": index, "registered_by": party,
                  "verified_by": party, "verified_at": index,
                  "status": "verified"|"self_declared"|"unproved"|"not_in_bundle",
                  "keys": [{"key", "added_at": index,
                            "revoked": {"from": time, "at": index} | null}],
                  "roles": [{"event": index, "role": role}]}],
     "events": [{"index", "type", "role": bundle role, "logged_at": time,
                 "proved": every required check on the entry passed, "id",
                 "asset", "licence",
                 "signers": [{"key", "party", "role", "signed": "signer"|"cosigner"}],
                 "parties": [{"party", "role"}],
                 "particulars": {...what the body states, by type...}}],
     "licences": [{"id", "asset", "granted_at": index, "licensor", "licensee",
                   "kind", "scope", "territory", "start", "end", "sublicensing",
                   "fee_terms_sha256", "accepted_at": index, "terminated_at": index}],
     "timelines": [{"asset", "name",
                    "events": [{"index", "type", "logged_at": time}]}],
     "evidence": [{"index", "type", "established", "depositor": party,
                   "particulars", "logged_at": time, "files": [name],
                   "disclosed": [{"item", "disclosure", "content",
                                  "content_bytes", "content_shown_bytes"}],
                   "times": {"status": entry_time reason code | null,
                             "checkpoint": size | null,
                             "bound": "entry"|"bundle"|null,
                             "tsa": {"time", "by", "stamped_at"} | null,
                             "witness": {"time", "by"} | null}}],
     "platform": {"entry": index | null, "proved", "operator": party,
                  "operator_name", "credit_code", "blockchain_filing",
                  "security_level", "security_filing", "tsa_name",
                  "tsa_status", "neutrality"}}

Roles: holder, registrar, new_holder, pledgee, licensor, licensee, objector,
reader, operator, depositor, registrant, registering_party, attester,
attested, key_holder, and signer for a key whose part the event does not
name. ``platform`` holds the facts of the latest ``log.settings`` entry in
the bundle, each null where the operator declared nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from cunzheng.ledger.bodies import LogSettings
from cunzheng.ledger.bodies.platform import PLATFORM_FACTS
from cunzheng.ledger.encoding import encode_base64
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.statements import parse_statement
from cunzheng.ledger.verify.narrative_events import (
    JSON,
    NarrativeEntry,
    events_json,
    key_owners,
)
from cunzheng.ledger.verify.narrative_parties import parties_json
from cunzheng.ledger.verify.narrative_time import time_json
from cunzheng.ledger.verify.report import Report, report_json
from cunzheng.schemas.bundles import Bundle

NARRATIVE_FORMAT: Final = "cunzheng.narrative/v1"
_LICENCE_EVENTS: Final = {"licence.accept": "accepted_at", "licence.terminate": "terminated_at"}


def narrative_json(bundle: Bundle, report: Report) -> JSON:
    """Return the narrative of *bundle* as verified in *report* (the shape in the module docstring)."""
    checks = report_json(report)
    entries = _entries(bundle, checks["checks"])
    owners = key_owners(entries)
    events = events_json(entries, owners)
    return {
        "format": NARRATIVE_FORMAT,
        "parties": parties_json(entries, owners, events),
        "events": events,
        "licences": licences_json(events),
        "timelines": timelines_json(events),
        "evidence": evidence_json(events, checks),
        "platform": platform_json(entries, owners),
    }


def _entries(bundle: Bundle, checks: Sequence[JSON]) -> list[NarrativeEntry]:
    """Return the bundle's entries that parse, each marked proved if every required check on it passed."""
    failed = {c["subject"] for c in checks if c["required"] and c["outcome"] != "passed"}
    checked = {c["subject"] for c in checks}
    out = []
    for model in bundle.entries:
        try:
            statement = parse_statement(model.statement)
        except MalformedInput:
            continue
        subject = f"entry:{model.index}"
        proved = subject in checked and subject not in failed
        out.append(NarrativeEntry(model.index, model.role, model.logged_at, statement, proved))
    return out


def licences_json(events: Sequence[JSON]) -> list[JSON]:
    """Return each licence granted in the bundle with its terms, and when it was accepted or ended."""
    licences: dict[str, JSON] = {}
    for event in events:
        if event["type"] == "licence.grant":
            licensor = next((p["party"] for p in event["parties"] if p["role"] == "licensor"), None)
            licences[event["id"]] = {
                "id": event["id"],
                "asset": event["asset"],
                "granted_at": event["index"],
                "licensor": licensor,
                **event["particulars"],
                "accepted_at": None,
                "terminated_at": None,
            }
        elif event["type"] in _LICENCE_EVENTS and event["licence"] in licences:
            licences[event["licence"]][_LICENCE_EVENTS[event["type"]]] = event["index"]
    return list(licences.values())


def timelines_json(events: Sequence[JSON]) -> list[JSON]:
    """Return each asset's events in log order, with the asset's latest public name."""
    timelines: dict[str, JSON] = {}
    for event in events:
        asset = event["asset"]
        if asset is None:
            continue
        line = timelines.setdefault(asset, {"asset": asset, "name": None, "events": []})
        if event["type"] in ("asset.apply", "asset.change") and event["particulars"]["name"]:
            line["name"] = event["particulars"]["name"]
        line["events"].append(
            {"index": event["index"], "type": event["type"], "logged_at": event["logged_at"]}
        )
    return list(timelines.values())


def evidence_json(events: Sequence[JSON], report: Mapping[str, Any]) -> list[JSON]:
    """Return each evidence entry: what it records, the files and records matched, and its independent times."""
    findings = {f["index"]: f for f in report["findings"]}
    out = []
    for event in events:
        if event["role"] != "evidence":
            continue
        index = event["index"]
        finding = findings.get(index, {})
        depositor = next((p["party"] for p in event["parties"] if p["role"] == "depositor"), None)
        out.append(
            {
                "index": index,
                "type": event["type"],
                "established": bool(finding.get("established")),
                "depositor": depositor,
                "particulars": event["particulars"],
                "logged_at": event["logged_at"],
                "files": list(finding.get("files", [])),
                "disclosed": _disclosed(index, report["checks"]),
                "times": _times(index, report),
            }
        )
    return out


def _disclosed(index: int, checks: Sequence[JSON]) -> list[JSON]:
    shown = ("content", "content_bytes", "content_shown_bytes")
    return [
        {
            "item": c["facts"]["item"],
            "disclosure": c["facts"]["name"],
            **{k: c["facts"].get(k) for k in shown},
        }
        for c in checks
        if c["reason"] == "disclosure.proved" and c["facts"].get("index") == index
    ]


def _times(index: int, report: Mapping[str, Any]) -> JSON:
    """Return the entry's own independent times, else the bundle checkpoint's, which bound it later."""
    own = next(
        (
            c
            for c in report["checks"]
            if c["check"] == "entry_time" and c["subject"] == f"entry:{index}"
        ),
        None,
    )
    status = None if own is None else own["reason"]
    if own is not None and status == "entry_time.established":
        facts = own["facts"]
        return {"status": status, "checkpoint": facts.get("size"), "bound": "entry"} | _bounds(
            facts, facts.get("witnesses")
        )
    log = report["log"]
    bound = "bundle" if log.get("tsa_time") or log.get("witness_time") else None
    shown = {"status": status, "checkpoint": log.get("size") if bound else None, "bound": bound}
    return shown | _bounds(log, log.get("witness"))


def _bounds(facts: Mapping[str, Any], witnesses: Any) -> JSON:
    tsa = time_json(facts.get("tsa_time"))
    witness = time_json(facts.get("witness_time"))
    return {
        "tsa": None
        if tsa is None
        else {
            "time": tsa,
            "by": facts.get("tsa_subject"),
            "stamped_at": time_json(facts.get("gen_time")),
        },
        "witness": None if witness is None else {"time": witness, "by": witnesses},
    }


def platform_json(entries: Sequence[NarrativeEntry], owners: Mapping[str, str]) -> JSON:
    """Return the platform facts the latest ``log.settings`` entry declares, each null where not declared."""
    latest = next((e for e in reversed(entries) if e.statement.type == "log.settings"), None)
    if latest is None:
        return {"entry": None, "proved": False, "operator": None} | dict.fromkeys(PLATFORM_FACTS)
    declared = latest.statement.content
    assert isinstance(declared, LogSettings)
    facts = declared.platform
    return {
        "entry": latest.index,
        "proved": latest.proved,
        "operator": owners.get(encode_base64(latest.statement.signer)),
    } | {name: None if facts is None else getattr(facts, name) for name in PLATFORM_FACTS}
