"""Dataset fingerprints: the holder's manifest and the disclosure of one record or file.

The manifest (``cunzheng.manifest/v1``) stays with the rights holder: it holds
the per-item digests and the master salt that open the commitment later. Only
the root and the count go into a statement. A disclosure
(``cunzheng.disclosure/v1``) proves that one record or file belongs to a
committed dataset without showing any other.

Hashes and salts are lowercase hex (64 digits), as in statement bodies, so a
digest can be compared with ``sha256sum`` output; record bytes are canonical
base64. Both are strict: any other spelling is refused, so a changed bit
never goes unnoticed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from cunzheng.schemas.encoding import encode_base64
from cunzheng.schemas.types import FROZEN, canonical_base64

MANIFEST_FORMAT: Final = "cunzheng.manifest/v1"
DISCLOSURE_FORMAT: Final = "cunzheng.disclosure/v1"

_HEX64 = re.compile(r"[0-9a-f]{64}")


def _decode_hex32(value: Any) -> bytes:
    if isinstance(value, bytes) and len(value) == 32:
        return value
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise ValueError("must be 64 lowercase hex digits (32 bytes)")
    return bytes.fromhex(value)


HexHash = Annotated[
    bytes,
    BeforeValidator(_decode_hex32),
    PlainSerializer(lambda raw: raw.hex(), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "a 32-byte SHA-256 hash"}
    ),
]
"""A 32-byte hash: 64 lowercase hex digits outside, raw bytes inside."""

HexSalt = Annotated[
    bytes,
    BeforeValidator(_decode_hex32),
    PlainSerializer(lambda raw: raw.hex(), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "a 32-byte salt"}
    ),
]
"""A 32-byte salt: 64 lowercase hex digits outside, raw bytes inside."""

CanonicalBase64 = Annotated[
    bytes,
    BeforeValidator(canonical_base64),
    PlainSerializer(encode_base64, return_type=str),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]
"""Arbitrary bytes: canonical padded base64 outside, raw bytes inside."""

Kind = Literal["file", "directory", "records"]
RecordFormat = Literal["csv", "jsonl"]


class FileEntry(BaseModel):
    """One regular file of a directory dataset, in leaf order."""

    model_config = FROZEN

    path: str = Field(description="Relative path: POSIX separators, Unicode NFC.")
    sha256: HexHash = Field(
        description="SHA-256 of the file; if salted, the leaf commits to SHA-256(salt_i || it)."
    )


class Manifest(BaseModel):
    """The holder's record of a fingerprint: everything needed to disclose items later."""

    model_config = FROZEN

    format: Literal["cunzheng.manifest/v1"] = Field(
        default=MANIFEST_FORMAT, description="Manifest format and version."
    )
    kind: Kind = Field(description="What was fingerprinted: one file, a directory or records.")
    record_format: RecordFormat | None = Field(
        default=None, description="For kind records: how records were read from the file."
    )
    source: str | None = Field(
        default=None, description="The path that was hashed, as a hint for disclosing later."
    )
    salt: HexSalt | None = Field(
        default=None,
        description=(
            "The secret salt. For a file, digest = SHA-256(salt || bytes); for datasets the "
            "master salt, and item i's salt is HMAC-SHA256(salt, uint64 big-endian i)."
        ),
    )
    files: list[FileEntry] | None = Field(
        default=None, description="For kind directory: every regular file, in leaf order."
    )
    records: list[HexHash] | None = Field(
        default=None,
        description="For kind records: SHA-256 of record i (salted if salt), at position i.",
    )
    count: int = Field(ge=0, description="Files or records committed (1 for kind file).")
    root: HexHash = Field(
        description="The file's digest (kind file) or the RFC 9162 root over the leaves."
    )

    @model_validator(mode="after")
    def _items_match_kind(self) -> Manifest:
        items = {"file": None, "directory": self.files, "records": self.records}
        for kind, value in items.items():
            if kind != self.kind and value is not None:
                raise ValueError(f"a manifest of kind {self.kind} holds no {kind} entries")
        if self.kind == "file":
            if self.count != 1:
                raise ValueError("a manifest of kind file has count 1")
        else:
            value = items[self.kind]
            if value is None or len(value) != self.count:
                raise ValueError(f"count {self.count} does not match the {self.kind} entries")
        if (self.kind == "records") != (self.record_format is not None):
            raise ValueError("record_format is set exactly when kind is records")
        return self


class Disclosure(BaseModel):
    """One record or file with the RFC 9162 inclusion proof that ties it to a dataset root."""

    model_config = FROZEN

    format: Literal["cunzheng.disclosure/v1"] = Field(
        default=DISCLOSURE_FORMAT, description="Disclosure format and version."
    )
    scheme: Literal["records", "directory"] = Field(description="The dataset's leaf scheme.")
    root: HexHash = Field(description="The dataset root the proof leads to.")
    size: int = Field(ge=1, description="Leaves in the dataset (the statement's count).")
    index: int = Field(ge=0, description="The leaf index of the disclosed item.")
    record: CanonicalBase64 | None = Field(
        default=None, description="Scheme records: the record's bytes."
    )
    path: str | None = Field(default=None, description="Scheme directory: the file's path.")
    sha256: HexHash | None = Field(
        default=None, description="Scheme directory: the file's SHA-256 (never salted)."
    )
    salt: HexSalt | None = Field(
        default=None, description="The item's own salt, if the dataset was salted."
    )
    inclusion_proof: list[HexHash] = Field(description="RFC 9162 inclusion proof, leaf to root.")

    @model_validator(mode="after")
    def _fields_match_scheme(self) -> Disclosure:
        if self.scheme == "records" and (
            self.record is None or self.path is not None or self.sha256 is not None
        ):
            raise ValueError("a records disclosure has record and neither path nor sha256")
        if self.scheme == "directory" and (
            self.record is not None or self.path is None or self.sha256 is None
        ):
            raise ValueError("a directory disclosure has path and sha256 and no record")
        return self


def manifest_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the manifest format."""
    return Manifest.model_json_schema()


def disclosure_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the disclosure format."""
    return Disclosure.model_json_schema()
