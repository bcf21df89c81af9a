"""The narrative in plain words: the lines the terminal report prints for parties, events, timelines, licences and the platform.

Each function takes the narrative (``narrative_json``) and *say*, which
writes one text of the report's tables in the report's language with facts
filled in (times in Beijing time with UTC beside, party kinds named), so
these lines never hold a word of their own. Every party is written by its
registered name, never by key or id alone. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cunzheng.ledger.bodies.platform import PLATFORM_FACTS

Say = Callable[[str, Mapping[str, Any]], str]
JSON = Mapping[str, Any]
_ITEM = "  "
_SUB = "     - "


def platform_lines(narrative: JSON, say: Say) -> list[str]:
    """Return the platform's facts as its operator declared them, "not declared" for each it did not."""
    platform = narrative["platform"]
    if platform["entry"] is None:
        heading = say("narrative.platform_none", {})
    else:
        heading = say("narrative.platform", {"entry": platform["entry"]})
        if not platform["proved"]:
            heading += " " + say("narrative.platform_unproved", {})
    lines = [heading]
    for fact in PLATFORM_FACTS:
        value = platform[fact]
        if value is None:
            value = say("narrative.not_declared", {})
        elif fact == "tsa_status":
            value = say(f"tsa_status.{value}", {})
        elif fact == "security_level":
            value = say("narrative.level", {"level": value})
        lines.append(_ITEM + say(f"platform.{fact}", {"value": value}))
    return lines


def party_lines(narrative: JSON, say: Say) -> list[str]:
    """Return each party: its name, kind, registry id and identity status; who registered it; its roles."""
    names = _names(narrative)
    lines = [say("narrative.parties", {})]
    for number, party in enumerate(narrative["parties"], start=1):
        standing = say(
            f"party_status.{party['status']}",
            {**party, "verified_by_name": _who(party["verified_by"], names, say)},
        )
        facts = {
            **party,
            "standing": standing,
            "name": _who(party["id"], names, say),
            "registry_id": party["registry_id"] or say("narrative.none_stated", {}),
        }
        lines.append(f"{_ITEM}{number}. " + say("narrative.party", _known(facts)))
        registered = {**party, "registered_by_name": _who(party["registered_by"], names, say)}
        lines.append(_SUB + say("narrative.party_id", _known(registered)))
        roles = [
            say("narrative.role_in", {"event": r["event"], "role": say(f"role.{r['role']}", {})})
            for r in party["roles"]
        ]
        if roles:
            lines.append(_SUB + say("narrative.party_roles", {"roles": "; ".join(roles)}))
    return lines


def event_lines(narrative: JSON, say: Say) -> list[str]:
    """Return each event with its time, every signer and cosigner in their roles, and its particulars."""
    names = _names(narrative)
    lines = [say("narrative.events", {})]
    for event in narrative["events"]:
        facts = {
            "index": event["index"],
            "time": event["logged_at"]["utc"],
            "what": say(f"type.{event['type']}", {}),
        }
        head = _ITEM + say("narrative.event", facts)
        if not event["proved"]:
            head += " " + say("narrative.event_unproved", {})
        lines.append(head)
        lines += [_SUB + line for line in _taking_part(event, names, say)]
        lines += [_SUB + line for line in _particulars(event, names, say)]
    return lines


def timeline_lines(narrative: JSON, say: Say) -> list[str]:
    """Return each asset's events in log order, dated, under the asset's name."""
    lines = [say("narrative.timelines", {})]
    for timeline in narrative["timelines"]:
        lines.append(_ITEM + say("narrative.timeline", _known(timeline)))
        for event in timeline["events"]:
            facts = {
                "time": event["logged_at"]["utc"],
                "index": event["index"],
                "what": say(f"type.{event['type']}", {}),
            }
            lines.append(_SUB + say("narrative.timeline_event", facts))
    return lines


def licence_lines(narrative: JSON, say: Say) -> list[str]:
    """Return each licence granted in the bundle: who granted it to whom, its terms, and what became of it."""
    names = _names(narrative)
    lines = [say("narrative.licences", {})]
    for licence in narrative["licences"]:
        parties = {
            **licence,
            "licensor": _who(licence["licensor"], names, say),
            "licensee": _who(licence["licensee"], names, say),
        }
        lines.append(_ITEM + say("narrative.licence", parties))
        lines.append(_SUB + _terms(licence, names, say))
        accepted = licence["accepted_at"] is not None
        terminated = licence["terminated_at"] is not None
        lines.append(_SUB + say(f"narrative.licence_{'' if accepted else 'not_'}accepted", licence))
        lines.append(
            _SUB + say(f"narrative.licence_{'' if terminated else 'not_'}terminated", licence)
        )
    return lines


def answer_lines(narrative: JSON, facts: Mapping[str, Any], say: Say) -> list[str]:
    """Return, under a court's answer, each asset it names by its name and each licence with its terms."""
    names = _names(narrative)
    assets = {t["asset"]: t["name"] for t in narrative["timelines"] if t["name"] is not None}
    licences = {lic["id"]: lic for lic in narrative["licences"]}
    lines = []
    for asset in _ids(facts, ("asset", "assets", "holds", "pledged")):
        if asset in assets:
            lines.append(_SUB + say("narrative.answer_asset", {"id": asset, "name": assets[asset]}))
    for licence in _ids(facts, ("licences", "licensed")):
        if licence in licences:
            granted = licences[licence]
            lines.append(_SUB + say("narrative.answer_licence", {"id": licence}))
            lines.append("  " + _SUB + _terms(granted, names, say))
    return lines


def _ids(facts: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    """Return the ids the facts at *keys* list (one id, or several separated by commas), each once."""
    found = [i.strip() for k in keys for i in str(facts.get(k) or "").split(",")]
    return list(dict.fromkeys(i for i in found if i))


def _taking_part(event: JSON, names: Mapping[str, str], say: Say) -> list[str]:
    """Return a line for each key that signed the event, then for each party it names that did not sign."""
    lines = []
    signed = set()
    for signer in event["signers"]:
        party = signer["party"]
        signed.add(party)
        name = (
            _who(party, names, say)
            if party is not None
            else say("narrative.unknown_key", {"key": signer["key"]})
        )
        role = say(f"role.{signer['role']}", {})
        lines.append(say(f"narrative.{signer['signed']}", {"name": name, "role": role}))
    for named in event["parties"]:
        if named["party"] not in signed:
            role = say(f"role.{named['role']}", {})
            lines.append(
                say("narrative.named", {"name": _who(named["party"], names, say), "role": role})
            )
    return lines


def _particulars(event: JSON, names: Mapping[str, str], say: Say) -> list[str]:
    """Return the lines that state what the event's body says, for the types a judge reads."""
    shown = event["particulars"]
    kind = event["type"]
    if kind == "licence.grant":
        return [_terms(shown, names, say)]
    if kind == "asset.apply":
        return [say("narrative.application", _known(shown))]
    if kind == "asset.register":
        number = shown["registration_number"] or say("narrative.none_stated", {})
        facts = {**shown, "expires": _utc(shown["expires"]), "number": number}
        return [say("narrative.registration", facts)]
    if kind == "asset.publicize":
        return [say("narrative.publicity", {"until": _utc(shown["until"])})]
    if kind == "asset.renew":
        return [say("narrative.renewal", {"expires": _utc(shown["expires"])})]
    if kind == "asset.version":
        return [say("narrative.version", shown)]
    if kind == "asset.transfer":
        return [say("narrative.transfer", {"name": _who(shown["to"], names, say)})]
    if kind == "asset.pledge":
        facts = {"name": _who(shown["pledgee"], names, say), "terms": shown["terms_sha256"]}
        return [say("narrative.pledge", facts)]
    if kind == "objection.file":
        facts = {"grounds": shown["grounds"], "evidence": shown["evidence_sha256"]}
        return [say("narrative.objection", facts)]
    if kind == "objection.decide":
        outcome = say(f"outcome_of.{shown['outcome']}", {})
        effect = say(f"effect_of.{shown['effect'] or 'none'}", {})
        return [say("narrative.decision", {"outcome": outcome, "effect": effect})]
    if kind == "access.read":
        facts = {"fields": ", ".join(shown["fields"]), "name": _who(shown["reader"], names, say)}
        return [say("narrative.read", facts)]
    return []


def _terms(terms: JSON, names: Mapping[str, str], say: Say) -> str:
    allowed = "narrative.sublicensing_yes" if terms["sublicensing"] else "narrative.sublicensing_no"
    facts = {
        "terms_kind": say(f"licence_kind.{terms['kind']}", {}),
        "licensee": _who(terms["licensee"], names, say),
        "scope": ", ".join(terms["scope"]),
        "territory": ", ".join(terms["territory"]),
        "start": _utc(terms["start"]),
        "end": _utc(terms["end"]),
        "sublicensing": say(allowed, {}),
        "fee": terms["fee_terms_sha256"],
    }
    return say("narrative.licence_terms", facts)


def _names(narrative: JSON) -> dict[str, str]:
    return {p["id"]: p["name"] for p in narrative["parties"] if p["name"] is not None}


def _who(party: str | None, names: Mapping[str, str], say: Say) -> str:
    """Return a party's registered name, or say it is unregistered, by id."""
    if party is None:
        return say("narrative.unknown_party", {"id": "—"})
    name = names.get(party)
    return name if name is not None else say("narrative.unknown_party", {"id": party})


def _utc(shown: JSON | None) -> str:
    return "—" if shown is None else str(shown["utc"])


def _known(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Return *facts* with each missing value as the report's gap, which templates write as "not known"."""
    return {k: "—" if v is None else v for k, v in facts.items()}


def narrative_sections(narrative: JSON, say: Say) -> Sequence[list[str]]:
    """Return the narrative's sections after the findings: parties, timelines, licences and events."""
    sections = [party_lines(narrative, say)]
    if narrative["timelines"]:
        sections.append(timeline_lines(narrative, say))
    if narrative["licences"]:
        sections.append(licence_lines(narrative, say))
    sections.append(event_lines(narrative, say))
    return sections
