"""A bundle's certificate: the verifier's report and narrative set on paper, with a QR code.

``certificate_pdf`` writes a bilingual 存证证书 / verification report from
what ``verify_bundle`` found (``report_json``) and what the bundle says
happened (``narrative_json``): the verdict, the platform's declared facts,
the log and its checkpoint, each evidence entry with its digests and
independent times, every party by name with its roles, each asset's dated
timeline, licence terms, every event's signers, every check, how to verify
it all without the platform (the page behind the QR code, ``cunzheng
verify``, openssl for the time-stamp tokens, a Go tlog client for the log),
and every identifier and digest. Nothing here decides anything: a fact the
bundle lacks is written as absent.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cunzheng.ledger import merkle
from cunzheng.ledger.certificate import words as w
from cunzheng.ledger.certificate.fonts import Fonts, find_fonts
from cunzheng.ledger.certificate.layout import Sheet
from cunzheng.ledger.certificate.qr import qr_matrix
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.statements import json_leaf
from cunzheng.ledger.verify.attestations import checkpoint_imprint
from cunzheng.ledger.verify.narrative_time import dual_time
from cunzheng.ledger.verify.report import text
from cunzheng.schemas.bundles import Bundle

JSON = Mapping[str, Any]


def certificate_number(bundle_bytes: bytes) -> str:
    """Return the certificate's number: CZ- and the first 20 hex digits of the bundle file's SHA-256."""
    return "CZ-" + hashlib.sha256(bundle_bytes).hexdigest()[:20].upper()


def certificate_pdf(
    bundle_bytes: bytes,
    bundle: Bundle,
    report: JSON,
    narrative: JSON,
    *,
    verify_url: str,
    issued_at: datetime,
    fonts: Fonts | None = None,
) -> bytes:
    """Return the PDF certificate of the bundle in *bundle_bytes*, as verified in *report*.

    *verify_url* is the address the QR code holds: the verification page
    that fetches and checks this bundle. *issued_at* is written on it.
    """
    number = certificate_number(bundle_bytes)
    sheet = Sheet(
        fonts or find_fonts(),
        title=f"存证证书 Evidence certificate {number}",
        created=issued_at,
        footer=f"存证证书 {number}",
    )
    sheet.title("存证证书 · 核验报告", "Evidence certificate and verification report")
    sheet.row(w.label("证书编号", "Certificate no."), number, code=True)
    sheet.row(w.label("出具时间", "Issued"), dual_time(format_time(issued_at)))
    sheet.banner(_verdict(report), good=bool(report.get("ok")))
    _platform(sheet, narrative.get("platform") or {})
    _log(sheet, report.get("log") or {}, bundle)
    _evidence(sheet, narrative, report)
    _parties(sheet, narrative.get("parties") or [], _names(narrative))
    _timelines(sheet, narrative)
    _licences(sheet, narrative.get("licences") or [], _names(narrative))
    _events(sheet, narrative.get("events") or [], _names(narrative))
    _checks(sheet, report.get("checks") or [])
    _independent(sheet, bundle, report, verify_url)
    _identifiers(sheet, bundle_bytes, bundle)
    return sheet.output()


def _verdict(report: JSON) -> str:
    if report.get("ok"):
        return "核验通过：全部必需检查均通过\nVERIFIED: every required check passed"
    failed = sum(
        1 for c in report.get("checks") or [] if c.get("required") and c.get("outcome") != "passed"
    )
    return f"核验未通过：{failed} 项必需检查未通过\nNOT VERIFIED: {failed} required check(s) did not pass"


def _platform(sheet: Sheet, platform: JSON) -> None:
    sheet.heading(*w.HEADINGS["platform"])
    for key, label in w.PLATFORM.items():
        value = platform.get(key)
        if value is None:
            shown = w.both("narrative.not_declared")
        elif key == "security_level":
            shown = f"{w.LEVELS.get(value, value)} level {value}"
        elif key == "tsa_status":
            shown = w.both(f"tsa_status.{value}", fallback=str(value))
        else:
            shown = str(value)
        sheet.row(label, shown, code=key == "credit_code")
    if platform.get("entry") is not None:
        proved = "已证明 proved" if platform.get("proved") else "未证明 not proved"
        sheet.row(w.label("声明所在条目", "Declared in entry"), f"#{platform['entry']} ({proved})")
    else:
        sheet.paragraph(
            "运营者未在日志中声明上述信息。The operator has declared none of these facts in the log.",
            size=8.5,
        )


def _log(sheet: Sheet, log: JSON, bundle: Bundle) -> None:
    sheet.heading(*w.HEADINGS["log"])
    sheet.row(w.label("日志", "Log"), str(log.get("origin") or bundle.log.origin), code=True)
    source = (
        "（独立取得 obtained independently）"
        if log.get("key_source") == "given"
        else (
            "（取自证据包本身，未经独立核对 taken from the bundle itself, not checked independently）"
        )
    )
    sheet.row(
        w.label("日志公钥", "Log key"),
        f"{log.get('key') or bundle.log.verifier_key} {source}",
        code=True,
    )
    sheet.row(w.label("检查点大小", "Checkpoint size"), str(log.get("size") or "?"))
    sheet.row(w.label("检查点根哈希", "Checkpoint root"), str(log.get("root") or "?"), code=True)
    for key, zh, en in (
        ("tsa_time", "时间戳时间", "Time-stamp time"),
        ("witness_time", "见证时间", "Witness time"),
    ):
        value = log.get(key)
        sheet.row(w.label(zh, en), dual_time(value) if isinstance(value, str) else w.NOT_STATED)


def _names(narrative: JSON) -> dict[str, str]:
    return {p["id"]: p.get("name") or p["id"][:16] for p in narrative.get("parties") or []}


def _party(names: Mapping[str, str], party: Any) -> str:
    if not party:
        return w.NOT_STATED
    return f"{names.get(party, '?')} ({str(party)[:16]}…)"


def _time(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("shown") or value.get("utc"))
    return dual_time(value) if isinstance(value, str) else w.NOT_STATED


def _evidence(sheet: Sheet, narrative: JSON, report: JSON) -> None:
    entries = narrative.get("evidence") or []
    sheet.heading(*w.HEADINGS["evidence"])
    if not entries:
        sheet.paragraph("本证据包不含存证条目。The bundle holds no evidence entry.")
    names = _names(narrative)
    for item in entries:
        established = "成立 established" if item.get("established") else "不成立 NOT established"
        sheet.subheading(
            f"条目 Entry #{item['index']} · {w.both('type.' + item['type'], fallback=item['type'])} · {established}"
        )
        sheet.row(w.label("存证人", "Depositor"), _party(names, item.get("depositor")))
        sheet.row(w.label("记入日志", "Logged"), _time(item.get("logged_at")))
        _particulars(sheet, item.get("particulars") or {}, names)
        times = item.get("times") or {}
        tsa, witness = times.get("tsa"), times.get("witness")
        sheet.row(w.label("时间戳", "TSA time"), _time(tsa.get("time")) if tsa else w.NOT_STATED)
        sheet.row(
            w.label("见证时间", "Witness time"),
            _time(witness.get("time")) if witness else w.NOT_STATED,
        )
        for name in item.get("files") or []:
            sheet.row(w.label("相符文件", "Matching file"), str(name), code=True)
        for record in item.get("disclosed") or []:
            sheet.row(
                w.label("披露记录", "Disclosed record"),
                f"{record.get('item')}: {record.get('content')}",
                code=True,
            )


def _particulars(sheet: Sheet, particulars: JSON, names: Mapping[str, str]) -> None:
    """Write what an event states, a party by its name, a time in Beijing time and UTC."""
    for key, value in particulars.items():
        if value is None or value == [] or value == {}:
            continue
        shown = _party(names, value) if isinstance(value, str) and value in names else _value(value)
        sheet.row(w.PARTICULARS.get(key, key), shown, code=True)


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        if "shown" in value:
            return str(value["shown"])
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return str(value)


def _parties(sheet: Sheet, parties: Sequence[JSON], names: Mapping[str, str]) -> None:
    sheet.heading(*w.HEADINGS["parties"])
    for party in parties:
        kind = w.both(f"kind.{party.get('kind')}", fallback=str(party.get("kind")))
        sheet.subheading(f"{party.get('name') or '?'} · {kind}")
        registry = party.get("registry_id")
        sheet.row(
            w.label("登记号", "Registry id"),
            f"{registry} ({party.get('registry_id_type')})" if registry else w.NOT_STATED,
        )
        sheet.row(
            w.label("核验状态", "Status"),
            w.both(
                f"party_status.{party.get('status')}",
                {
                    "verified_by_name": names.get(str(party.get("verified_by")), "?"),
                    "verified_at": party.get("verified_at"),
                },
                fallback=str(party.get("status")),
            ),
        )
        sheet.row(w.label("当事人标识", "Party id"), str(party.get("id")), code=True)
        roles = [
            f"#{r['event']} {w.both('role.' + r['role'], fallback=r['role'])}"
            for r in party.get("roles") or []
        ]
        sheet.row(w.label("角色", "Roles"), "; ".join(roles) or w.NOT_STATED)


def _timelines(sheet: Sheet, narrative: JSON) -> None:
    timelines = narrative.get("timelines") or []
    if not timelines:
        return
    sheet.heading(*w.HEADINGS["timelines"])
    for line in timelines:
        sheet.subheading(f"{line.get('name') or '?'} · {line.get('asset')}")
        for event in line.get("events") or []:
            sheet.row(
                _time(event.get("logged_at")),
                f"#{event['index']} {w.both('type.' + event['type'], fallback=event['type'])}",
            )


def _licences(sheet: Sheet, licences: Sequence[JSON], names: Mapping[str, str]) -> None:
    if not licences:
        return
    sheet.heading(*w.HEADINGS["licences"])
    for licence in licences:
        sheet.subheading(f"许可 Licence {licence.get('id')}")
        sheet.row(w.label("许可人", "Licensor"), _party(names, licence.get("licensor")))
        sheet.row(w.label("被许可人", "Licensee"), _party(names, licence.get("licensee")))
        for key, zh, en in (
            ("kind", "许可类型", "Kind"),
            ("scope", "范围", "Scope"),
            ("territory", "地域", "Territory"),
            ("start", "起始", "From"),
            ("end", "终止", "Until"),
            ("sublicensing", "可否再许可", "Sublicensing"),
        ):
            value = licence.get(key)
            sheet.row(w.label(zh, en), w.NOT_STATED if value is None else _value(value))


def _events(sheet: Sheet, events: Sequence[JSON], names: Mapping[str, str]) -> None:
    if not events:
        return
    sheet.heading(*w.HEADINGS["events"])
    for event in events:
        sheet.subheading(
            f"#{event['index']} {w.both('type.' + event['type'], fallback=event['type'])} · {_time(event.get('logged_at'))}"
        )
        for signer in event.get("signers") or []:
            how = "签名人 signer" if signer.get("signed") == "signer" else "共同签名人 cosigner"
            role = w.both("role." + str(signer.get("role")), fallback=str(signer.get("role")))
            sheet.row(how, f"{_party(names, signer.get('party'))} · {role}")
        _particulars(sheet, event.get("particulars") or {}, names)


def _checks(sheet: Sheet, checks: Sequence[JSON]) -> None:
    sheet.heading(*w.HEADINGS["checks"])
    for check in checks:
        outcome = w.both(f"outcome.{check['outcome']}")
        facts = check.get("facts") or {}
        about = w.both(f"check.{check['check']}", fallback=check["check"])
        reason = check["reason"]
        said = f"{text(reason, 'zh', facts)}\n{text(reason, 'en', facts)}"
        sheet.row(f"[{outcome}]", f"{about} · {check['subject']}\n{said}", size=8.0)


def _independent(sheet: Sheet, bundle: Bundle, report: JSON, verify_url: str) -> None:
    sheet.heading(*w.HEADINGS["independent"])
    imprint = checkpoint_imprint(bundle.checkpoint).hex()
    key = (report.get("log") or {}).get("key") or bundle.log.verifier_key
    steps = [
        "1. 扫描二维码或打开下列地址，在浏览器中核验本证据包（文件在本机计算哈希，不上传）。"
        "Scan the QR code or open the address below to verify this bundle in any browser "
        "(files are hashed on the judge's computer, never uploaded).",
        f'2. 命令行 Command line: cunzheng verify bundle.json --log-key "{key}" --tsa-root tsa-ca.pem',
        "3. 时间戳 RFC 3161 tokens with openssl: 将 timestamps[n].token 经 base64 解码存为 token.der，"
        "then: openssl ts -verify -token_in -in token.der -digest "
        f"{imprint} -CAfile tsa-ca.pem (the digest is the SHA-256 of the checkpoint note).",
        "4. 日志 The log with a Go tlog client (golang.org/x/mod/sumdb/tlog): fetch the checkpoint and "
        f"C2SP tiles from https://{bundle.log.origin}/, check the checkpoint's signature with the log key, "
        "and prove each entry's record hash below (tlog.ProveRecord / tlog.CheckRecord).",
    ]
    for step in steps:
        sheet.paragraph(step, code=True)
    sheet.qr(qr_matrix(verify_url), ["核验页面 Verification page:", verify_url])


def _identifiers(sheet: Sheet, bundle_bytes: bytes, bundle: Bundle) -> None:
    sheet.heading(*w.HEADINGS["identifiers"])
    sheet.row(
        w.label("证据包 SHA-256", "Bundle SHA-256"),
        hashlib.sha256(bundle_bytes).hexdigest(),
        code=True,
    )
    sheet.row(
        w.label("检查点 SHA-256", "Checkpoint SHA-256"),
        checkpoint_imprint(bundle.checkpoint).hex(),
        code=True,
    )
    for entry in bundle.entries:
        leaf = merkle.leaf_hash(json_leaf(entry.statement, entry.logged_at))
        sheet.row(
            w.label(f"条目 #{entry.index} 叶哈希", "leaf hash"),
            f"{leaf.hex()} (base64 {base64.b64encode(leaf).decode()})",
            code=True,
        )
