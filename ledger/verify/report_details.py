"""The technical detail of a failed check, by reason code: the message itself in English, its meaning in Chinese.

A check that fails carries a technical detail, a message in English from the
code that failed (``Check.detail``). The Chinese report must not show it
untranslated, so each reason code a check can fail with has a Chinese text
saying what the technical failure was (``detail.<reason>``); the English
text is the message itself (``{detail}``). Merged into the report's tables
(``ledger.verify.report_texts``).
"""

from __future__ import annotations

from typing import Final

DETAILS_ZH: Final[dict[str, str]] = {
    "detail.bundle.malformed": "无法按 cunzheng.bundle/v1 格式解析证据包：某一字段缺失、多余、类型不符或取值不合规定。",
    "detail.log_key.mismatch": "核验方提供的日志公钥与证据包所载公钥不是同一密钥。",
    "detail.checkpoint.not_signed": "检查点的签名行中没有能以该日志公钥验证的 Ed25519 签名。",
    "detail.checkpoint.malformed": "检查点的正文（日志来源、树大小、根哈希）或其签名行不符合 C2SP 签名注记格式。",
    "detail.checkpoint.wrong_origin": "检查点第一行所载的日志来源与证据包所称的日志来源不同。",
    "detail.signature.invalid": "以该密钥对声明（RFC 8785 规范化 JSON，不含签名）验证签署人或某一联署人的 Ed25519 签名失败。",
    "detail.inclusion.failed": "依包含证明由叶哈希逐层计算出的根哈希与检查点的根哈希不符，或证明的长度与条目序号、树大小不相符。",
    "detail.key.unknown": "按日志顺序重演证据包中的参与方条目后，该密钥不属于任何在该条目之前登记的参与方。",
    "detail.key.revoked": "该密钥的撤销条目所载撤销起始时间早于本条目的记入时间。",
    "detail.rules.refused": "登记规则 {rule} 拒绝了该条目：该条目所依赖的状态与规则的要求不符。",
    "detail.content.no_match": "该文件的 SHA-256 摘要与证据包中任何证据条目所记录的摘要均不相同。",
    "detail.disclosure.failed": "依披露文件中的数据项、盐值、序号和包含证明计算出的默克尔根与数据集条目记录的根不符。",
    "detail.disclosure.no_dataset": "披露文件所称的数据集根不在证据包的任何数据集条目中。",
    "detail.disclosure.malformed": "披露文件的某一字段缺失、多余或取值不合规定。",
    "detail.earlier.not_signed": "早期检查点的签名行中没有能以该日志公钥验证的签名。",
    "detail.earlier.malformed": "早期检查点不符合 C2SP 签名注记格式，或来自其他日志。",
    "detail.earlier.fork": "RFC 9162 一致性证明不能将早期检查点的根哈希与证据包检查点的根哈希联系起来。",
    "detail.earlier.shrunk": "早期检查点的树大小大于证据包检查点的树大小。",
    "detail.current.not_signed": "日志当前检查点的签名行中没有能以该日志公钥验证的签名。",
    "detail.current.malformed": "日志当前检查点不符合 C2SP 签名注记格式，或来自其他日志。",
    "detail.current.fork": "RFC 9162 一致性证明不能将证据包检查点的根哈希与日志当前检查点的根哈希联系起来。",
    "detail.current.shrunk": "日志当前检查点的树大小小于证据包检查点的树大小。",
    "detail.timestamp.other_digest": "时间戳令牌中的消息摘要（message imprint）不是该检查点注记的 SHA-256。",
    "detail.timestamp.untrusted": "时间戳令牌的 CMS 签名、ESS 签名证书属性或其证书链未能依所提供的根证书验证。",
    "detail.timestamp.malformed": "时间戳令牌不是可解析的 DER 编码 RFC 3161 时间戳令牌。",
    "detail.cosignature.invalid": "见证方的 Ed25519 联署签名无法针对该检查点及其所载见证时间验证。",
    "detail.witnesses.policy_not_met": "有效联署的见证方数量少于见证策略要求的数量。",
    "detail.entry_time.missing": "证据包中没有该条目所指明树大小的带时间戳检查点。",
    "detail.entry_time.not_covered": "该条目的序号不小于其所指明检查点的树大小。",
    "detail.entry_time.not_first": "证据包中有树大小更小、且包含该条目的带时间戳检查点。",
    "detail.entry_time.not_signed": "为该条目提供独立时间的检查点的签名行中没有能以该日志公钥验证的签名。",
    "detail.entry_time.malformed": "为该条目提供独立时间的检查点不符合 C2SP 签名注记格式，或来自其他日志。",
    "detail.entry_time.fork": "RFC 9162 一致性证明不能将该检查点的根哈希与证据包检查点的根哈希联系起来。",
    "detail.entry_time.shrunk": "该检查点的树大小大于证据包检查点的树大小。",
    "detail.entry_time.timestamp_failed": "该检查点的某一时间戳令牌的摘要、签名或证书链未通过验证。",
    "detail.entry_time.witnesses_failed": "该检查点的见证方联署签名无效，或有效联署的数量不满足见证策略。",
    "detail.entry_time.unnamed": "没有任何条目的 timed_by 字段指向该检查点的树大小。",
    "detail.completeness.no_index": "证据包检查点中没有 cunzheng-index 索引根行。",
    "detail.completeness.index_proof": "依索引证明计算出的索引根与检查点中的索引根不符，或检查点的索引行无法解读。",
    "detail.completeness.key_missing": "证据包没有附上答案所依据的某一索引键的证明。",
    "detail.completeness.missing_event": "索引为答案列明的某些条目不在证据包或其所称答案中。",
    "detail.completeness.extra_event": "证据包或其所称答案中的某些条目不在索引为答案列明的条目之列。",
    "detail.completeness.order": "所称答案列出的条目序号未按递增顺序排列，或有重复。",
    "detail.settings.not_proved": "证据包没有附上 settings:log 索引键的证明，或其检查点没有索引根。",
    "detail.settings.index_proof": "依 settings:log 的索引证明计算出的索引根与检查点中的索引根不符。",
    "detail.settings.missing_entry": "索引列明的某些设置条目不在证据包中，或未通过核验。",
    "detail.settings.extra_entry": "证据包中的某些设置条目不在索引列明的设置条目之列。",
    "detail.claim.contradicted": "重演所得的答案与所称答案在某一字段上不同。",
    "detail.claim.omitted": "所称答案列明的某些条目不在证据包中。",
    "detail.claim.chain_broken": "某一事件所指明的前一事件（prev）不在证据包中，或规则要求的状态缺失。",
    "detail.claim.unprovable": "答案所依据的某一条目未通过核验、未被所称答案列明，或被登记规则拒绝。",
}

# In English the technical detail is the message itself.
DETAILS_EN: Final[dict[str, str]] = dict.fromkeys(DETAILS_ZH, "{detail}")
