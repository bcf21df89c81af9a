"""``cunzheng verify FILE RECEIPT``: a file checked against its receipt, offline.

The result is printed in English or Chinese (``--lang``), or as JSON (``--json``)
with the same facts, ``null`` where there is none.
"""

from __future__ import annotations

import argparse
import base64
import sys
from typing import Any

import orjson

from cunzheng.cli.inputs import read_input, read_log_key
from cunzheng.cli.progress import hash_file
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.receipts import parse_receipt
from cunzheng.ledger.tsa.verify import load_certificates
from cunzheng.ledger.verify import verify_receipt

RECEIPT_REPORT_FORMAT = "cunzheng.receipt-report/v1"

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "file": "file         {file}: SHA-256 {sha256}  matches the statement",
        "statement": "statement    {type}, signed by {signer}  signature valid",
        "log": "log          {origin}, checkpoint of {size} entries  signed by the log key",
        "inclusion": "inclusion    entry {index} is in that tree  proof valid",
        "logged_at": "logged at    {logged_at} (the log's claim)",
        "timestamp": "time-stamp   existed no later than {time} (RFC 3161, {tsa})",
        "unchecked": "time-stamp   the receipt carries RFC 3161 tokens; not checked without --tsa-root",
        "ok": "VERIFIED",
        "not_ok": "NOT VERIFIED: {reason}",
    },
    "zh": {
        "file": "文件         {file}：SHA-256 {sha256}  与声明一致",
        "statement": "声明         {type}，由 {signer} 签名  签名有效",
        "log": "日志         {origin}，{size} 条记录的检查点  由日志密钥签名",
        "inclusion": "包含证明     第 {index} 条记录在该树中  证明有效",
        "logged_at": "记录时间     {logged_at}（日志自己的记录）",
        "timestamp": "时间戳       不晚于 {time} 已存在（RFC 3161，{tsa}）",
        "unchecked": "时间戳       回执带有 RFC 3161 时间戳；未给 --tsa-root，未核验",
        "ok": "核验通过",
        "not_ok": "核验未通过：{reason}",
    },
}


def verify_receipt_file(args: argparse.Namespace) -> int:
    """Check a file against its receipt offline and print each check."""
    log_key = read_log_key(args.log_key)
    data = read_input(args.receipt)
    digest = hash_file(args.file)
    roots = load_certificates([read_input(p) for p in args.tsa_root])
    texts = _TEXTS[args.lang]
    try:
        result = verify_receipt(data, log_key=log_key, content_sha256=digest, tsa_roots=roots)
    except LedgerError as e:
        if args.json:
            _print_json({"format": RECEIPT_REPORT_FORMAT, "ok": False, "reason": str(e)})
            return 1
        raise LedgerError(texts["not_ok"].format(reason=e)) from None
    facts: dict[str, Any] = {
        "file": str(args.file),
        "sha256": digest.hex(),
        "type": result.statement.type,
        "signer": base64.b64encode(result.statement.signer).decode(),
        "origin": result.checkpoint.origin,
        "size": result.checkpoint.size,
        "index": result.index,
        "logged_at": format_time(result.logged_at),
    }
    stamps = [{"time": format_time(t.latest), "tsa": t.tsa_subject} for t in result.timestamps]
    unchecked = bool(parse_receipt(data).timestamps) and not roots
    if args.json:
        _print_json(
            {
                "format": RECEIPT_REPORT_FORMAT,
                "ok": True,
                **facts,
                "timestamps": stamps,
                "timestamps_unchecked": unchecked,
            }
        )
        return 0
    for line in ("file", "statement", "log", "inclusion", "logged_at"):
        print(texts[line].format(**facts))
    for stamp in stamps:
        print(texts["timestamp"].format(**stamp))
    if unchecked:
        print(texts["unchecked"])
    print(texts["ok"])
    return 0


def _print_json(value: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")
