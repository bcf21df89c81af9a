"""The verification report: every check, its outcome and reason code, for a judge and a program.

A report lists each check the verifier made with one of three outcomes
(passed, failed, not checked), a stable reason code, the facts the check
rests on and, when it failed, a technical detail. ``Report.ok`` holds only
when every required check passed. ``render_text`` writes the report in plain
words for a court, in English, in Chinese, or in both (``zh-en``: the
Chinese report, then the English one), from one table of texts per
language keyed by reason code (``ledger.report_texts``); given the bundle's
narrative (``ledger.verify.narrative``) it adds the platform's facts and
every party, event, timeline and licence. Every time is shown in Beijing
time with UTC beside it, and a technical detail in Chinese by its reason
code. ``report_json`` gives the same checks, codes and outcomes to a
program. Both are pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Literal

from cunzheng.ledger.verify.narrative_text import (
    answer_lines,
    narrative_sections,
    platform_lines,
)
from cunzheng.ledger.verify.narrative_time import dual_time
from cunzheng.ledger.verify.report_texts import TEXTS

REPORT_FORMAT: Final = "cunzheng.report/v1"
Lang = Literal["en", "zh"]
LANGS: Final = ("en", "zh")
# The bilingual report: the whole report in Chinese, then in English.
BOTH: Final = "zh-en"
ReportLang = Literal["en", "zh", "zh-en"]
Fact = str | int
# Facts holding an RFC 3339 time, shown to people in Beijing time with UTC beside it.
_TIME_FACTS = frozenset(
    {
        "logged_at",
        "revoked_from",
        "at",
        "expires",
        "gen_time",
        "tsa_time",
        "witness_time",
        "time",
        "bound",
        "start",
        "end",
        "until",
    }
)


class Outcome(StrEnum):
    """What became of a check."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class Check:
    """One check: what was checked, about what, with which outcome and why.

    ``subject`` names what the check is about: ``bundle``, ``log``,
    ``entry:<index>``, ``file:<name>``, ``disclosure:<name>``,
    ``earlier:<size>``, ``current``, ``timestamp:<n>``, ``witness:<name>``,
    ``witnesses``, ``timed:<size>`` (a checkpoint whose evidence times
    entries), ``claim`` (the answer, and its completeness).
    """

    check: str
    subject: str
    outcome: Outcome
    reason: str
    required: bool = True
    facts: Mapping[str, Fact] = field(default_factory=dict)
    detail: str = ""


@dataclass(frozen=True)
class Finding:
    """What the bundle establishes about one evidence entry, if every check it rests on passed."""

    index: int
    type: str
    established: bool
    facts: Mapping[str, Fact] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """The outcome of verifying one bundle: its checks, its findings and the log it is from."""

    checks: tuple[Check, ...]
    findings: tuple[Finding, ...] = ()
    log: Mapping[str, Fact] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return whether every required check passed."""
        required = [c for c in self.checks if c.required]
        return bool(required) and all(c.outcome is Outcome.PASSED for c in required)

    def failed(self) -> tuple[Check, ...]:
        """Return the required checks that did not pass."""
        return tuple(c for c in self.checks if c.required and c.outcome is not Outcome.PASSED)

    def reasons(self) -> set[str]:
        """Return the reason codes of every check."""
        return {c.reason for c in self.checks}


def text(code: str, lang: Lang, facts: Mapping[str, Any] | None = None) -> str:
    """Return the text for *code* in *lang* with *facts* filled in."""
    table = TEXTS[lang]
    template = table.get(code) or TEXTS["en"].get(code) or code
    return template.format_map(_Facts(facts or {}, lang))


def render_text(
    report: Report,
    *,
    lang: ReportLang = "en",
    narrative: Mapping[str, Any] | None = None,
) -> str:
    """Return the report in plain words for a judge, in *lang*, with the bundle's *narrative* if given.

    *lang* ``zh-en`` gives the whole report in Chinese, then in English.
    """
    if lang == BOTH:
        rule = "=" * 72
        chinese = _render(report, "zh", narrative)
        return f"{chinese}\n{rule}\n\n{_render(report, 'en', narrative)}"
    return _render(report, "zh" if lang == "zh" else "en", narrative)


def _render(report: Report, lang: Lang, narrative: Mapping[str, Any] | None) -> str:
    out: list[str] = [text("report.title", lang), ""]
    failed = len(report.failed())
    out.append(text("report.ok" if report.ok else "report.not_ok", lang, {"count": failed}))
    out.append("")
    out.extend(_log_lines(report, lang))

    def say(code: str, facts: Mapping[str, Any]) -> str:
        return text(code, lang, facts)

    if narrative is not None:
        out += ["", *platform_lines(narrative, say)]
    claim = next((c for c in report.checks if c.check == "claim"), None)
    out += ["", text("report.findings", lang)]
    if not report.findings:
        out.append("  " + text("finding.none" if claim is None else "finding.registry", lang))
    disclosed = _disclosed(report.checks)
    for number, finding in enumerate(report.findings, start=1):
        out.extend(_finding_lines(number, finding, lang, report.log, disclosed))
    for section in narrative_sections(narrative, say) if narrative is not None else ():
        out += ["", *section]
    if claim is not None:
        complete = next((c for c in report.checks if c.check == "completeness"), None)
        out += ["", text("report.claim", lang), *_claim_lines(claim, complete, lang)]
        if narrative is not None:
            out += answer_lines(narrative, claim.facts, say)
    out += ["", text("report.checks", lang)]
    width = max(len(text(f"outcome.{o.value}", lang)) for o in Outcome)
    for check in report.checks:
        out.extend(_check_lines(check, lang, width))
    out += ["", text("report.limits", lang)]
    for code in _limits(report):
        out.append("  - " + text(code, lang, report.log))
    return "\n".join(out) + "\n"


def report_json(report: Report, *, lang: Lang = "en") -> dict[str, Any]:
    """Return the report as a JSON object: the same checks, codes and outcomes, texts in *lang*."""
    return {
        "format": REPORT_FORMAT,
        "ok": report.ok,
        "log": _json_facts(report.log),
        "findings": [
            {
                "index": f.index,
                "type": f.type,
                "established": f.established,
                "facts": _json_facts(f.facts),
                "files": list(f.files),
                "items": list(f.items),
            }
            for f in report.findings
        ],
        "checks": [
            {
                "check": c.check,
                "subject": c.subject,
                "outcome": c.outcome.value,
                "reason": c.reason,
                "required": c.required,
                "facts": _json_facts(c.facts),
                "detail": c.detail,
                "text": text(c.reason, lang, c.facts),
            }
            for c in report.checks
        ],
    }


# How the facts write a missing value for people; a program gets null instead.
_GAPS = frozenset({"—", "?"})


def _json_facts(facts: Mapping[str, Fact]) -> dict[str, Fact | None]:
    return {k: None if _gap(k, v) else v for k, v in facts.items()}


def _gap(key: str, value: Any) -> bool:
    # A disclosed record's content is data: a record that reads "?" is not a missing value.
    return key != "content" and isinstance(value, str) and value in _GAPS


class _Facts(dict[str, Any]):
    """Facts for a template: times made readable, party kinds and statuses named, a gap in words."""

    def __init__(self, facts: Mapping[str, Any], lang: Lang) -> None:
        super().__init__(facts)
        self.lang = lang

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if _gap(key, value):
            return self.__missing__(key)
        if key in _TIME_FACTS and isinstance(value, str):
            return dual_time(value, self.lang)
        if key in ("kind", "status") or (key == "type" and self.lang == "zh"):
            # A statement type, party kind or asset status in words; Chinese never shows a code.
            return TEXTS[self.lang].get(f"{key}.{value}", value)
        if key == "rule" and self.lang == "zh" and f"rule.{value}" in TEXTS["zh"]:
            return f"“{TEXTS['zh'][f'rule.{value}']}”（{value}）"
        return value

    def __missing__(self, key: str) -> str:
        # "identity": whether an exchange or the operator vouched for the party, in words.
        if key == "identity" and "verified" in self:
            vouched = dict.__getitem__(self, "verified")
            template = TEXTS[self.lang]["identity.verified" if vouched else "identity.unverified"]
            return template.format_map(self)
        return TEXTS[self.lang]["report.unknown"]


def _log_lines(report: Report, lang: Lang) -> list[str]:
    log = report.log
    if not log:
        return []
    source = "report.key_given" if log.get("key_source") == "given" else "report.key_from_bundle"
    lines = [
        text("report.log", lang, log),
        text("report.key", lang, log) + " " + text(source, lang),
        text("report.checkpoint", lang, log),
    ]
    lines += [text(f"report.{t}", lang, log) for t in _TIMES if t in log]
    return lines


# The independent times a report's log may hold, each with a header line and a finding line.
_TIMES = ("tsa_time", "witness_time")


def _disclosed(checks: tuple[Check, ...]) -> dict[tuple[Fact, Fact], Mapping[str, Fact]]:
    """Return the facts of each proved disclosure of a record, by entry index and item."""
    return {
        (c.facts["index"], c.facts["item"]): c.facts
        for c in checks
        if c.reason == "disclosure.proved" and "content" in c.facts
    }


def content_line(facts: Mapping[str, Fact], lang: Lang) -> str:
    """Return the line that shows a disclosed record's content, and its size, in *lang*."""
    whole = facts["content_shown_bytes"] == facts["content_bytes"]
    return text("disclosure.content" if whole else "disclosure.content_cut", lang, facts)


def _finding_lines(
    number: int,
    finding: Finding,
    lang: Lang,
    log: Mapping[str, Fact],
    disclosed: Mapping[tuple[Fact, Fact], Mapping[str, Fact]],
) -> list[str]:
    facts = {"index": finding.index, "type": finding.type, **finding.facts}
    if not finding.established:
        return [f"  {number}. " + text("finding.not_established", lang, facts)]
    code = "finding.dataset" if finding.type == "evidence.dataset" else "finding.timestamp"
    lines = [f"  {number}. " + text(code, lang, facts)]
    if "timed_size" in facts:
        # The entry's own time, from the first time-stamped checkpoint that held it.
        lines += ["     - " + text(f"finding.entry_{t}", lang, facts) for t in _TIMES if t in facts]
    else:
        lines += ["     - " + text(f"finding.{t}", lang, log) for t in _TIMES if t in log]
    lines += ["     - " + text("finding.file", lang, {"file": f}) for f in finding.files]
    for item in finding.items:
        lines.append("     - " + text("finding.item", lang, {"item": item}))
        record = disclosed.get((finding.index, item))
        if record is not None:
            lines.append("       " + content_line(record, lang))
    return lines


def _claim_lines(claim: Check, complete: Check | None, lang: Lang) -> list[str]:
    """Return the question, the answer as recomputed and whether it was proved complete, in plain words."""
    facts = claim.facts
    kind = str(facts.get("kind", "?"))
    if kind == "portfolio" and "at" in facts:
        kind = "portfolio_at"
    lines = ["  " + text(f"question.{kind}", lang, facts)]
    if complete is not None:
        proved = complete.outcome is Outcome.PASSED
        code = "completeness.says_proved" if proved else "completeness.says_not_proved"
        lines.append("  " + text(code, lang, complete.facts))
    if claim.reason not in ("claim.confirmed", "claim.contradicted"):
        return [*lines, "  " + text("claim.says_unprovable", lang)]
    none = not kind.startswith("portfolio") and facts.get("found") == 0
    answer = text(f"answer.{kind}" + ("_none" if none else ""), lang, facts)
    says = "claim.says_confirmed" if claim.outcome is Outcome.PASSED else "claim.says_contradicted"
    if says == "claim.says_confirmed" and complete is not None:
        # An answer recomputed from entries that may not be all of them is not confirmed.
        says = says if complete.outcome is Outcome.PASSED else "claim.says_incomplete"
    return [*lines, "  " + text(says, lang) + ("" if lang == "zh" else " ") + answer]


def _check_lines(check: Check, lang: Lang, width: int) -> list[str]:
    label = text(f"outcome.{check.outcome.value}", lang)
    pad = " " * (width - len(label))
    optional = "" if check.required else " " + text("report.optional", lang)
    about = text(f"check.{check.check}", lang)
    if ":" in check.subject:
        about += " · " + _subject(check.subject, lang)
    lines = [
        f"  [{label}]{pad} {about}{optional}",
        "      " + text(check.reason, lang, check.facts),
    ]
    if "content" in check.facts:
        lines.append("      " + content_line(check.facts, lang))
    if check.detail and check.outcome is not Outcome.PASSED:
        # By reason code: the message itself in English, what it means in Chinese.
        code = f"detail.{check.reason}"
        facts = {**check.facts, "detail": check.detail}
        detail = text(code, lang, facts) if code in TEXTS[lang] else check.detail
        lines.append("      " + text("report.detail", lang) + " " + detail)
    return lines


def _subject(subject: str, lang: Lang) -> str:
    kind, _, name = subject.partition(":")
    return text(f"subject.{kind}", lang, {"name": name})


def _limits(report: Report) -> list[str]:
    timed = any(t in report.log for t in _TIMES) or any(
        c.reason == "entry_time.established" for c in report.checks
    )
    codes = [
        "limits.time_bound" if timed else "limits.time",
        "limits.before_deposit",
        "limits.identity",
        "limits.revocations",
    ]
    if "size" not in report.log:
        # An unreadable bundle: there is no checkpoint whose revocations could be missing.
        codes.remove("limits.revocations")
    if report.log and report.log.get("key_source") != "given":
        codes.insert(0, "limits.key")
    if any(c.reason == "completeness.proved" for c in report.checks):
        codes += ["limits.completeness", "limits.periods"]
    elif any(c.check == "claim" for c in report.checks):
        codes += ["limits.later_events", "limits.periods"]
    return codes
