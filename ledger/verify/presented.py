"""Presented content against what was logged: files against digests, disclosures against datasets.

A presented file matches an ``evidence.timestamp`` entry whose ``sha256`` is
the file's SHA-256, or an item of a logged dataset, proved by a disclosure,
whose plain SHA-256 it is. A disclosure (``cunzheng.disclosure/v1``) matches an
``evidence.dataset`` entry with the same root, scheme and count when
``ledger.disclosure.verify_disclosure`` proves its item belongs to that root.
An entry nothing was presented for is not checked; a file or disclosure that
matches nothing fails. Pure: the caller hashes the files and reads the
disclosures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cunzheng.ledger.bodies import EvidenceDataset, EvidenceTimestamp, body_as
from cunzheng.ledger.disclosure import DisclosedItem, parse_disclosure, verify_disclosure
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.verify.report import Check, Fact, Outcome


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
        out.add(
            index,
            Check(
                "disclosure",
                subject,
                Outcome.PASSED,
                "disclosure.proved",
                True,
                {**facts, "item": label},
            ),
        )
        proved.append((index, item))
    return proved


def _dataset(statement: Statement) -> EvidenceDataset:
    return body_as(statement.content, EvidenceDataset)


def _dataset_facts(statement: Statement) -> dict[str, Fact]:
    dataset = _dataset(statement)
    return {"root": dataset.root.hex(), "count": dataset.count, "scheme": dataset.scheme}
