"""The narrative of a bundle: parties by name and role, every signer, licence terms, timelines, evidence, platform."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cunzheng.cli.main import main
from cunzheng.ledger.verify import (
    Check,
    Outcome,
    Report,
    parse_bundle,
    render_text,
    verify_bundle,
)
from cunzheng.ledger.verify.narrative import narrative_json
from cunzheng.ledger.verify.narrative_time import dual_time
from cunzheng.ledger.verify.report_texts import EN, ZH
from tests.ledger.test_narrative_world import (
    CONTRACT,
    PLATFORM,
    Case,
    cases,
    open_world,
    stamped,
    story,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Case]]:
    """The narrative of the whole story's bundle, and the bundle's case."""
    w, store = open_world(tmp_path_factory.mktemp("told"))
    try:
        case = cases(w, story(w))[0]
        yield narrative_json(parse_bundle(case.bundle), case.report), case
    finally:
        w.log.stop()
        store.close()


def _named(narrative: dict[str, Any]) -> dict[str, str]:
    return {p["id"]: p["name"] for p in narrative["parties"]}


def _event(narrative: dict[str, Any], type_: str) -> dict[str, Any]:
    return next(e for e in narrative["events"] if e["type"] == type_)


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        (
            "2026-11-30T02:00:00.000000Z",
            "2026-11-30 10:00:00 (北京时间) / 2026-11-30 02:00:00 UTC",
        ),
        (
            "2026-12-31T20:30:00.250000Z",
            "2027-01-01 04:30:00.25 (北京时间) / 2026-12-31 20:30:00.25 UTC",
        ),
        ("2028-02-28T16:00:00Z", "2028-02-29 00:00:00 (北京时间) / 2028-02-28 16:00:00 UTC"),
    ],
)
def test_times_are_shown_in_beijing_time_with_utc_beside(utc: str, shown: str) -> None:
    assert dual_time(utc) == shown


def test_a_transfer_names_every_signer_in_its_role(told: tuple[dict[str, Any], Case]) -> None:
    narrative, _ = told
    names = _named(narrative)
    transfer = _event(narrative, "asset.transfer")
    signed = [(names[s["party"]], s["role"], s["signed"]) for s in transfer["signers"]]
    assert sorted(signed) == sorted(
        [
            ("数据持有有限公司", "holder", "signer"),
            ("Shanghai Data Exchange", "registrar", "cosigner"),
            ("Buyer Ltd", "new_holder", "cosigner"),
        ]
    )
    pledge, release = _event(narrative, "asset.pledge"), _event(narrative, "asset.release")
    assert [(names[s["party"]], s["role"]) for s in pledge["signers"]][1] == ("Bank", "pledgee")
    assert [(names[s["party"]], s["role"]) for s in release["signers"]] == [("Bank", "pledgee")]


def test_a_licence_is_given_with_its_terms_and_acceptance(
    told: tuple[dict[str, Any], Case],
) -> None:
    narrative, _ = told
    names = _named(narrative)
    (licence,) = narrative["licences"]
    assert names[licence["licensor"]] == "数据持有有限公司"
    assert names[licence["licensee"]] == "Buyer Ltd"
    assert (licence["kind"], licence["scope"], licence["territory"]) == (
        "exclusive",
        ["analytics", "navigation"],
        ["CN-31"],
    )
    assert licence["end"]["shown"].endswith("UTC") and "北京时间" in licence["end"]["shown"]
    assert licence["accepted_at"] == _event(narrative, "licence.accept")["index"]
    assert licence["terminated_at"] is None


def test_an_asset_has_a_dated_timeline_in_log_order(told: tuple[dict[str, Any], Case]) -> None:
    narrative, _ = told
    (timeline,) = narrative["timelines"]
    assert timeline["name"] == "Traffic flows 2025"
    assert [e["type"] for e in timeline["events"]] == [
        "asset.apply",
        "asset.publicize",
        "asset.register",
        "licence.grant",
        "licence.accept",
        "asset.pledge",
        "asset.release",
        "asset.transfer",
    ]


def test_parties_carry_who_registered_them_and_their_status(
    told: tuple[dict[str, Any], Case],
) -> None:
    narrative, _ = told
    by_name = {p["name"]: p for p in narrative["parties"]}
    operator = by_name["Operator"]["id"]
    assert by_name["Shanghai Data Exchange"]["registered_by"] == operator
    assert by_name["Shanghai Data Exchange"]["status"] == "verified"
    assert by_name["Buyer Ltd"]["status"] == "self_declared"
    roles = {r["role"] for r in by_name["Buyer Ltd"]["roles"]}
    assert {"licensee", "new_holder", "registrant"} <= roles
    holder = by_name["数据持有有限公司"]
    assert holder["registry_id_type"] == "uscc" and len(holder["registry_id"]) == 18


def test_evidence_shows_files_matched_and_disclosed_records(
    told: tuple[dict[str, Any], Case],
) -> None:
    narrative, _ = told
    contract, dataset = narrative["evidence"]
    assert contract["files"] == ["contract.txt"] and contract["established"]
    assert contract["times"]["status"] == "entry_time.none"
    assert contract["times"]["tsa"] is None
    (record,) = dataset["disclosed"]
    assert record["item"] == "#1" and '\\"S20\\"' in record["content"]


def test_the_platform_facts_are_those_declared_and_null_otherwise(
    told: tuple[dict[str, Any], Case],
) -> None:
    narrative, _ = told
    platform = narrative["platform"]
    assert platform["proved"]
    assert {k: platform[k] for k in PLATFORM} == PLATFORM
    assert platform["security_filing"] is None and platform["tsa_name"] is None


def test_the_narrative_is_plain_json(told: tuple[dict[str, Any], Case]) -> None:
    narrative, _ = told
    assert json.loads(json.dumps(narrative, ensure_ascii=False)) == narrative


def test_an_altered_registration_leaves_its_party_unproved(
    told: tuple[dict[str, Any], Case], tmp_path: Path
) -> None:
    _, case = told
    bundle = json.loads(case.bundle)
    entry = next(
        e
        for e in bundle["entries"]
        if e["statement"]["type"] == "party.register"
        and e["statement"]["body"]["name"] == "Buyer Ltd"
    )
    entry["statement"]["body"]["name"] = "Seller Ltd"
    data = json.dumps(bundle).encode()
    report = verify_bundle(data, log_key=None)
    narrative = narrative_json(parse_bundle(data), report)
    seller = next(p for p in narrative["parties"] if p["name"] == "Seller Ltd")
    assert seller["status"] == "unproved"
    assert not next(e for e in narrative["events"] if e["index"] == entry["index"])["proved"]


def test_a_bundle_without_settings_declares_no_platform_facts(
    told: tuple[dict[str, Any], Case],
) -> None:
    _, case = told
    bundle = json.loads(case.bundle)
    bundle["entries"] = [e for e in bundle["entries"] if e["role"] == "evidence"]
    data = json.dumps(bundle).encode()
    narrative = narrative_json(parse_bundle(data), verify_bundle(data, log_key=None))
    assert narrative["platform"]["entry"] is None
    assert narrative["platform"]["operator_name"] is None
    assert [e["depositor"] for e in narrative["evidence"]] == [None, None]


def _chinese(line: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in line)


def test_the_chinese_report_has_no_line_without_chinese(told: tuple[dict[str, Any], Case]) -> None:
    narrative, case = told
    zh = render_text(case.report, lang="zh", narrative=narrative)
    assert [line for line in zh.splitlines() if line.strip() and not _chinese(line)] == []
    for heading in ("平台信息", "当事人", "各资产的历史", "许可", "事件及其签署人"):
        assert any(line.startswith(heading) for line in zh.splitlines()), heading
    assert (
        "联署人：Buyer Ltd（新持有人）" in zh and "联署人：Shanghai Data Exchange（登记机构）" in zh
    )
    assert (
        "许可条款：独占许可，被许可人 Buyer Ltd；使用范围 analytics, navigation；地域 CN-31" in zh
    )
    assert "等级保护备案编号：未声明" in zh and "网络安全等级保护级别：第 3 级" in zh
    assert "(北京时间) / " in zh and "Beijing time" not in zh


def test_a_failed_check_has_its_technical_detail_in_chinese(
    told: tuple[dict[str, Any], Case],
) -> None:
    _, case = told
    bundle = json.loads(case.bundle)
    entry = next(e for e in bundle["entries"] if e["statement"]["type"] == "asset.transfer")
    entry["logged_at"] = entry["logged_at"].replace("09:00", "09:01")
    data = json.dumps(bundle).encode()
    report = verify_bundle(data, log_key=None)
    (failed,) = [c for c in report.failed() if c.reason == "inclusion.failed"]
    assert failed.detail
    narrative = narrative_json(parse_bundle(data), report)
    zh = render_text(report, lang="zh", narrative=narrative)
    details = [line.strip() for line in zh.splitlines() if "技术细节：" in line]
    assert details and all(_chinese(line.removeprefix("技术细节：")) for line in details)
    assert failed.detail not in zh
    en = render_text(report, lang="en", narrative=narrative)
    assert f"Technical detail: {failed.detail}" in en
    assert "(NOT PROVED: a check on this entry failed)" in en


# Reason codes that never fail a check, so never carry a technical detail.
_NOT_FAILURES = {
    "bundle.well_formed",
    "log_key.given",
    "log_key.from_bundle",
    "checkpoint.signed",
    "checkpoint.unusable",
    "signature.valid",
    "inclusion.proved",
    "key.valid",
    "replay.skipped",
    "rules.allowed",
    "content.matches",
    "content.not_presented",
    "disclosure.proved",
    "disclosure.none",
    "earlier.consistent",
    "current.consistent",
    "current.not_consulted",
    "timestamps.none",
    "cosignatures.none",
    "timestamp.trusted",
    "timestamp.not_checked",
    "cosignature.valid",
    "cosignature.absent",
    "cosignature.unnamed",
    "cosignature.not_checked",
    "witnesses.policy_met",
    "entry_time.established",
    "entry_time.not_checked",
    "entry_time.none",
    "completeness.proved",
    "settings.proved",
    "claim.confirmed",
}
_REASON_FAMILIES = (
    "bundle.",
    "log_key.",
    "checkpoint.",
    "signature.",
    "inclusion.",
    "key.",
    "rules.",
    "content.",
    "disclosure.",
    "earlier.",
    "current.",
    "timestamp.",
    "cosignature.",
    "witnesses.",
    "entry_time.",
    "completeness.",
    "settings.",
    "claim.",
)


def test_every_failure_a_check_can_carry_has_a_chinese_detail() -> None:
    failures = {
        code
        for code in EN
        if code.startswith(_REASON_FAMILIES)
        and code not in _NOT_FAILURES
        and not code.startswith(("claim.says", "completeness.says", "disclosure.content"))
    }
    assert "signature.invalid" in failures and "rules.refused" in failures
    assert sorted(f for f in failures if f"detail.{f}" not in ZH) == []
    assert all(_chinese(ZH[f"detail.{f}"]) and EN[f"detail.{f}"] == "{detail}" for f in failures)


def test_the_bilingual_report_is_chinese_then_english(told: tuple[dict[str, Any], Case]) -> None:
    narrative, case = told
    both = render_text(case.report, lang="zh-en", narrative=narrative)
    chinese, _, english = both.partition("=" * 72)
    assert chinese.startswith("存证核验报告") and "当事人" in chinese
    assert english.strip().startswith("Cunzheng evidence verification report")
    assert "The parties" in english and "signed by 数据持有有限公司 (holder)" in english
    assert "cosigned by Buyer Ltd (new holder)" in english


def test_cunzheng_verify_prints_the_narrative_in_both_languages_and_in_json(
    told: tuple[dict[str, Any], Case], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    narrative, case = told
    path = tmp_path / "story.bundle.json"
    path.write_bytes(case.bundle)
    key = tmp_path / "log.vkey"
    key.write_text(case.log_key + "\n")
    assert main(["verify", str(path), "--log-key", str(key)]) == 0
    both = capsys.readouterr().out
    assert both.startswith("存证核验报告") and "Cunzheng evidence verification report" in both
    assert "当事人" in both and "The parties" in both
    assert main(["verify", str(path), "--log-key", str(key), "--lang", "en"]) == 0
    english = capsys.readouterr().out
    assert (
        english.startswith("Cunzheng evidence verification report")
        and "存证核验报告" not in english
    )
    contract = tmp_path / "contract.txt"
    contract.write_bytes(CONTRACT)
    assert (
        main(["verify", str(path), "--log-key", str(key), "--json", "--file", str(contract)]) == 0
    )
    shown = json.loads(capsys.readouterr().out)
    assert shown["narrative"]["parties"] == narrative["parties"]
    assert shown["narrative"]["events"] == narrative["events"]
    assert shown["narrative"]["evidence"][0]["files"] == [str(contract)]
    assert shown["checks"][0]["text"].startswith("The file is a well-formed evidence bundle")


def test_a_refused_entry_names_the_rule_in_chinese_with_its_code() -> None:
    facts = {"index": 3, "type": "licence.grant", "rule": "licence.overlaps_exclusive"}
    detail = "licence 3 overlaps exclusive licence 2 of this asset"
    refused = Check("rules", "entry:3", Outcome.FAILED, "rules.refused", True, facts, detail)
    zh = render_text(Report((refused,)), lang="zh")
    assert "违反日志的规则 “该许可在范围和期间上与独占许可重叠”（licence.overlaps_exclusive）" in zh
    assert "条目 3（许可）" in zh and detail not in zh
    en = render_text(Report((refused,)), lang="en")
    assert "breaks the log's rule licence.overlaps_exclusive" in en and detail in en


def test_every_rule_the_registry_names_has_its_words() -> None:
    source = "".join(p.read_text() for p in (ROOT / "ledger" / "registry").glob("*.py"))
    codes = set(re.findall(r'RuleViolation\(\s*"([a-z_]+\.[a-z_]+)"', source))
    codes |= set(re.findall(r'code="([a-z_]+\.[a-z_]+)"', source))
    assert "licence.overlaps_exclusive" in codes and "asset.pledged" in codes
    assert sorted(c for c in codes if f"rule.{c}" not in ZH or f"rule.{c}" not in EN) == []


def test_a_licensed_answer_gives_each_licence_with_its_terms(tmp_path: Path) -> None:
    w, store = open_world(tmp_path)
    try:
        case = next(c for c in cases(w, story(w)) if c.name == "licensed answer")
    finally:
        w.log.stop()
        store.close()
    assert case.report.ok, [c.reason for c in case.report.failed()]
    narrative = narrative_json(parse_bundle(case.bundle), case.report)
    (licence,) = narrative["licences"]
    zh = render_text(case.report, lang="zh", narrative=narrative)
    answer = zh[zh.index("所问问题及其答案") : zh.index("检查项")]
    assert f"是，依据许可 {licence['id']}。" in answer
    assert f"许可 {licence['id']} 的条款如下：" in answer
    assert "许可条款：独占许可，被许可人 Buyer Ltd；使用范围 analytics, navigation" in answer
    assert "“Traffic flows 2025”" in answer


def test_each_evidence_entry_has_its_own_independent_times(tmp_path: Path) -> None:
    case = stamped(tmp_path)
    narrative = narrative_json(parse_bundle(case.bundle), case.report)
    first, second = narrative["evidence"]
    for entry in (first, second):
        times = entry["times"]
        assert (times["status"], times["bound"]) == ("entry_time.established", "entry")
        assert times["tsa"]["time"]["utc"] > entry["logged_at"]["utc"]
        assert times["witness"]["by"] == "witness.example/w1, witness.example/w2"
        assert "北京时间" in times["tsa"]["time"]["shown"]
    assert first["times"]["checkpoint"] < second["times"]["checkpoint"]
    zh = render_text(case.report, lang="zh", narrative=narrative)
    assert f"不晚于 {first['times']['tsa']['time']['shown']} 已经存在" in zh
