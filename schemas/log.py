"""Wire models of the log's JSON read API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from cunzheng.schemas.types import FROZEN, Base64Der, Base64Hash


class LogInfo(BaseModel):
    """What a client needs to follow the log."""

    model_config = FROZEN

    origin: str = Field(description="The checkpoint origin line, also the log key's name.")
    verifier_key: str = Field(description="The log's C2SP signed-note verifier key.")
    size: int = Field(description="The size of the latest checkpoint.")
    root: Base64Hash = Field(description="The root hash of the latest checkpoint.")
    checkpoint: str = Field(description="The latest signed checkpoint.")
    settings: dict[str, Any] | None = Field(
        default=None,
        description="The registry settings in force: the body of the log's latest log.settings entry "
        "(publicity_days, term_days, systems with their number formats); null for a log that has none.",
    )


class EntryOut(BaseModel):
    """One logged entry."""

    model_config = FROZEN

    index: int
    leaf_hash: Base64Hash
    logged_at: str
    statement: dict[str, Any]


class InclusionProofOut(BaseModel):
    """An RFC 9162 inclusion proof of one leaf in the tree of tree_size leaves."""

    model_config = FROZEN

    index: int
    tree_size: int
    leaf_hash: Base64Hash
    proof: list[Base64Hash]


class ConsistencyProofOut(BaseModel):
    """An RFC 9162 consistency proof between two tree sizes."""

    model_config = FROZEN

    old_size: int
    tree_size: int
    proof: list[Base64Hash]


class CheckpointEvidenceOut(BaseModel):
    """Independent evidence about one checkpoint."""

    model_config = FROZEN

    size: int
    checkpoint: str = Field(
        description="The checkpoint as the log signed it; tokens are over its SHA-256."
    )
    cosigned: str | None = Field(
        description="The checkpoint with the witnesses' cosignatures appended."
    )
    timestamps: list[Base64Der] = Field(description="RFC 3161 time-stamp tokens (DER, base64).")


class ProblemOut(BaseModel):
    """An error: what went wrong, for a person, and a stable code for a program."""

    model_config = FROZEN

    error: str = Field(description="Stable error code, e.g. invalid_signature, malformed_input.")
    detail: str = Field(description="A message for a person: what is wrong and what to do.")
