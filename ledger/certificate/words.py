"""The words of a certificate that are not a verifier's reason codes: headings, labels, verdicts.

Each is a pair, Chinese first and English beside; the texts of checks,
roles and statement types come from the verifier's own table
(``ledger.verify.report_texts``), so that a certificate and a report never
say the same thing two ways.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from cunzheng.ledger.verify.report import text
from cunzheng.ledger.verify.report_texts import TEXTS

NOT_STATED: Final = "无 / none"

HEADINGS: Final = {
    "platform": ("平台信息", "The platform"),
    "log": ("日志与检查点", "The log and its checkpoint"),
    "evidence": ("存证内容", "The evidence"),
    "parties": ("当事人", "The parties"),
    "timelines": ("数据资产时间线", "Asset timelines"),
    "licences": ("许可条款", "Licence terms"),
    "events": ("登记事件及签名人", "Registry events and their signers"),
    "checks": ("逐项检查", "Every check"),
    "independent": ("独立核验方法", "How to verify independently"),
    "identifiers": ("标识与摘要", "Identifiers and digests"),
}

PLATFORM: Final = {
    "operator_name": "运营者名称 Operator",
    "credit_code": "统一社会信用代码 Credit code",
    "blockchain_filing": "区块链信息服务备案 Blockchain filing",
    "security_level": "网络安全等级保护 Protection level",
    "security_filing": "等保备案编号 Level filing no.",
    "tsa_name": "时间戳服务 Time-stamp authority",
    "tsa_status": "时间戳服务性质 TSA status",
    "neutrality": "中立性声明 Neutrality",
}
LEVELS: Final = {1: "第一级", 2: "第二级", 3: "第三级", 4: "第四级", 5: "第五级"}

# What an event's particulars are called on paper; a key not listed is shown as it is.
PARTICULARS: Final = {
    "name": "名称 Name",
    "system": "登记体系 System",
    "fingerprint": "数据指纹 Fingerprint",
    "confidential": "保密事项 Confidential",
    "until": "公示截止 Publicity until",
    "certificate": "证书编号 Certificate no.",
    "registration_number": "登记号 Registration no.",
    "expires": "有效期至 Expires",
    "licensee": "被许可人 Licensee",
    "pledgee": "质权人 Pledgee",
    "new_holder": "受让人 New holder",
    "kind": "类型 Kind",
    "scope": "范围 Scope",
    "territory": "地域 Territory",
    "start": "起始 From",
    "end": "终止 Until",
    "sublicensing": "可否再许可 Sublicensing",
    "fee_terms_sha256": "费用条款摘要 Fee terms SHA-256",
    "terms_sha256": "条款摘要 Terms SHA-256",
    "sha256": "文件摘要 SHA-256",
    "root": "数据集根哈希 Dataset root",
    "count": "记录数 Count",
    "publicity_days": "公示期（天） Publicity days",
    "term_days": "最长期限（天） Longest term (days)",
    "systems": "登记体系 Systems",
}


def label(zh: str, en: str) -> str:
    """Return a bilingual label."""
    return f"{zh} {en}"


def both(code: str, facts: Mapping[str, Any] | None = None, *, fallback: str = "") -> str:
    """Return the verifier's text for *code* in Chinese, then in English; *fallback* if it has none."""
    if code not in TEXTS["zh"] and code not in TEXTS["en"]:
        return fallback or code
    return f"{text(code, 'zh', facts)} / {text(code, 'en', facts)}"
