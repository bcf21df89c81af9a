"""Presented content against what was logged: files against digests, disclosures against datasets.

A presented file matches an ``evidence.timestamp`` entry whose ``sha256`` is
the file's SHA-256, or an item of a logged dataset, proved by a disclosure,
whose plain SHA-256 it is. A disclosure (``cunzheng.disclosure/v1``) matches an
``evidence.dataset`` entry with the same root, scheme and count when
``ledger.disclosure.verify_disclosure`` proves its item belongs to that root.
An entry nothing was presented for is not checked; a file or disclosure that
matches nothing fails. A proved record's content is a fact of its check
(``shown_content``): escaped, so that control characters, invisible format
characters and bytes that are not UTF-8 are visible, and cut at
``CONTENT_SHOWN`` characters with its total size stated. Pure: the caller
hashes the files and reads the disclosures.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from cunzheng.ledger.bodies import EvidenceDataset, EvidenceTimestamp, body_as
from cunzheng.ledger.disclosure import DisclosedItem, parse_disclosure, verify_disclosure
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.verify.report import Check, Fact, Outcome

# About three lines of a report: enough to recognise a record, not to flood the page.
CONTENT_SHOWN: Final = 200


@dataclass
class Contents:
    """The content checks of a bundle: by evidence entry, and those about nothing logged."""

    by_entry: dict[int, list[Check]] = field(default_factory=dict)
    unmatched: list[Check] = field(default_factory=list)
    files: dict[int, list[str]] = field(default_factory=dict)
    items: dict[int, list[str]] = field(default_factory=dict)

    def add(self, index: int, check: Check) -> None:
        """Record *check* about evidence entry *index*."""
        self.by_entry.setdefault(index, []).append(check)


def check_contents(
    evidence: Sequence[tuple[int, Statement]],
    *,
    files: Mapping[str, bytes],
    disclosures: Sequence[tuple[str, bytes]],
) -> Contents:
    """Return the checks of *files* (name to SHA-256) and *disclosures* (name, bytes) against *evidence*."""
    out = Contents()
    datasets = [(i, s) for i, s in evidence if s.type == "evidence.dataset"]
    disclosed_files: dict[bytes, list[int]] = {}
    for name, data in disclosures:
        for index, item in _disclosure(name, data, datasets, out):
            disclosed_files.setdefault(item.sha256, []).append(index)
    matched: set[str] = set()
    for index, statement in evidence:
        if statement.type == "evidence.timestamp":
            matched |= _timestamp(index, statement, files, out)
    for name, digest in files.items():
        for index in disclosed_files.get(digest, []):
            matched.add(name)
            out.add(index, _file_matches(name, digest, index, out))
        if name not in matched:
            facts: dict[str, Fact] = {"file": name, "digest": digest.hex()}
            out.unmatched.append(
                Check("content", f"file:{name}", Outcome.FAILED, "content.no_match", True, facts)
            )
    for index, statement in datasets:
        if not out.items.get(index):
            facts = {"index": index, **_dataset_facts(statement)}
            check = Check(
                "disclosure", f"entry:{index}", Outcome.NOT_CHECKED, "disclosure.none", False, facts
            )
            out.add(index, check)
    return out


def _timestamp(
    index: int, statement: Statement, files: Mapping[str, bytes], out: Contents
) -> set[str]:
    digest = body_as(statement.content, EvidenceTimestamp).sha256.hex()
    names = {name for name, d in files.items() if d.hex() == digest}
    for name in sorted(names):
        out.add(index, _file_matches(name, bytes.fromhex(digest), index, out))
    if not names:
        facts: dict[str, Fact] = {"index": index, "digest": digest}
        out.add(
            index,
            Check(
                "content",
                f"entry:{index}",
                Outcome.NOT_CHECKED,
                "content.not_presented",
                False,
                facts,
            ),
        )
    return names


def _file_matches(name: str, digest: bytes, index: int, out: Contents) -> Check:
    out.files.setdefault(index, []).append(name)
    facts: dict[str, Fact] = {"file": name, "digest": digest.hex(), "index": index}
    return Check("content", f"entry:{index}", Outcome.PASSED, "content.matches", True, facts)


def _disclosure(
    name: str, data: bytes, datasets: Sequence[tuple[int, Statement]], out: Contents
) -> list[tuple[int, DisclosedItem]]:
    subject = f"disclosure:{name}"
    try:
        disclosure = parse_disclosure(data)
    except LedgerError as e:
        facts: dict[str, Fact] = {"name": name}
        out.unmatched.append(
            Check(
                "disclosure",
                subject,
                Outcome.FAILED,
                "disclosure.malformed",
                True,
                facts,
                e.message,
            )
        )
        return []
    root = disclosure.root.hex()
    targets = [(i, s) for i, s in datasets if _dataset(s).root == disclosure.root]
    if not targets:
        facts = {"name": name, "root": root}
        out.unmatched.append(
            Check("disclosure", subject, Outcome.FAILED, "disclosure.no_dataset", True, facts)
        )
        return []
    proved = []
    for index, statement in targets:
        facts = {"name": name, "index": index, **_dataset_facts(statement)}
        dataset = _dataset(statement)
        try:
            if disclosure.scheme != dataset.scheme:
                raise LedgerError(
                    f"the disclosure is of a {disclosure.scheme} dataset; entry {index} logs a "
                    f"{dataset.scheme} dataset"
                )
            item = verify_disclosure(data, root=disclosure.root, count=dataset.count)
        except LedgerError as e:
            out.add(
                index,
                Check(
                    "disclosure",
                    subject,
                    Outcome.FAILED,
                    "disclosure.failed",
                    True,
                    facts,
                    e.message,
                ),
            )
            continue
        label = f"#{item.index}" if item.path is None else f"#{item.index} {item.path}"
        out.items.setdefault(index, []).append(label)
        proved_facts: dict[str, Fact] = {**facts, "item": label}
        if item.record is not None:
            proved_facts |= content_facts(item.record)
        out.add(
            index,
            Check("disclosure", subject, Outcome.PASSED, "disclosure.proved", True, proved_facts),
        )
        proved.append((index, item))
    return proved


def _dataset(statement: Statement) -> EvidenceDataset:
    return body_as(statement.content, EvidenceDataset)


def _dataset_facts(statement: Statement) -> dict[str, Fact]:
    dataset = _dataset(statement)
    return {"root": dataset.root.hex(), "count": dataset.count, "scheme": dataset.scheme}


def content_facts(record: bytes) -> dict[str, Fact]:
    """Return a disclosed record's content as report facts: shown escaped, its size and how much is shown."""
    shown, used = shown_content(record)
    return {"content": shown, "content_bytes": len(record), "content_shown_bytes": used}


def shown_content(record: bytes, limit: int = CONTENT_SHOWN) -> tuple[str, int]:
    """Return *record* escaped for a report, cut at *limit* characters, and how many of its bytes that shows.

    Printable text stays as it is; a backslash, a double quote, a control or
    format character (a bidi override among them) and a line separator are
    written as escapes, and a byte that is not UTF-8 as ``\\xNN``.
    """
    text = record.decode("utf-8", errors="surrogateescape")
    parts: list[str] = []
    width = used = 0
    for char in text:
        shown = _escaped(char)
        if width + len(shown) > limit:
            break
        parts.append(shown)
        width += len(shown)
        used += 1 if 0xDC80 <= ord(char) <= 0xDCFF else len(char.encode())
    return "".join(parts), used


_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if char in _ESCAPES:
        return _ESCAPES[char]
    if unicodedata.category(char)[0] == "C" or unicodedata.category(char) in ("Zl", "Zp"):
        # \\xNN is kept for bytes that are not UTF-8, so a C1 control is \\u0080, not \\x80.
        if code < 0x80:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    return char
