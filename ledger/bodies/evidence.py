"""Bodies of evidence statements: a file's digest or a dataset's fingerprint.

- ``evidence.timestamp``: ``{"sha256": hex, "media_type"?: str}``, the digest
  of a file or a salted commitment (``ledger.fingerprint``).
- ``evidence.dataset``: ``{"root": hex, "scheme": "directory"|"records",
  "count": int, "format"?: "csv"|"jsonl"}``, a dataset fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from cunzheng.ledger.bodies.core import Body, StatementBody, hex_digest, optional_text, require_keys
from cunzheng.ledger.errors import MalformedInput

SCHEMES = ("directory", "records")
RECORD_FORMATS = ("csv", "jsonl")


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceTimestamp(StatementBody):
    """The digest of a file (or a salted commitment) whose existence is timestamped."""

    TYPE: ClassVar[str] = "evidence.timestamp"

    sha256: bytes
    media_type: str | None = None

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of an ``evidence.timestamp``, or raise MalformedInput."""
        what = "evidence.timestamp body"
        require_keys(body, required={"sha256"}, optional={"media_type"}, what=what)
        sha256 = hex_digest(body["sha256"], f"{what}: sha256")
        return cls(sha256=sha256, media_type=optional_text(body, "media_type", what, 255))


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceDataset(StatementBody):
    """A dataset's fingerprint: the Merkle root over its *count* files or records."""

    TYPE: ClassVar[str] = "evidence.dataset"

    root: bytes
    scheme: str
    count: int
    format: str | None = None

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of an ``evidence.dataset``, or raise MalformedInput."""
        what = "evidence.dataset body"
        require_keys(body, required={"root", "scheme", "count"}, optional={"format"}, what=what)
        root = hex_digest(body["root"], f"{what}: root")
        scheme, count = body["scheme"], body["count"]
        if scheme not in SCHEMES:
            raise MalformedInput(f"{what}: scheme must be directory or records")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise MalformedInput(f"{what}: count must be a non-negative integer")
        record_format = body.get("format")
        if "format" in body and (record_format not in RECORD_FORMATS or scheme != "records"):
            raise MalformedInput(f"{what}: format must be csv or jsonl, and only for records")
        return cls(root=root, scheme=scheme, count=count, format=record_format)
