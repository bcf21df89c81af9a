"""The receipt: what a submitter keeps to prove, offline, that a statement was logged."""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from cunzheng.schemas.types import FROZEN, Base64Der, Base64Hash

RECEIPT_FORMAT: Final = "cunzheng.receipt/v1"


class Receipt(BaseModel):
    """A statement with its leaf index, an inclusion proof and the signed checkpoint it is proved against."""

    model_config = FROZEN

    format: Literal["cunzheng.receipt/v1"] = Field(
        default=RECEIPT_FORMAT, description="Receipt format and version."
    )
    statement: dict[str, Any] = Field(description="The signed statement, as submitted.")
    logged_at: str = Field(
        description="When the log integrated the statement (the log's claim), RFC 3339 UTC."
    )
    index: int = Field(ge=0, lt=1 << 63, description="The leaf index of the entry.")
    tree_size: int = Field(
        ge=1, lt=1 << 63, description="The size of the tree the proof and checkpoint are for."
    )
    inclusion_proof: list[Base64Hash] = Field(description="RFC 9162 inclusion proof, leaf to root.")
    checkpoint: str = Field(description="C2SP signed checkpoint note of size tree_size.")
    timestamps: list[Base64Der] = Field(
        default_factory=list,
        description=(
            "RFC 3161 tokens over the SHA-256 of the checkpoint note, present when the receipt was "
            "made after the log time-stamped that checkpoint (receipts fetched later, e.g. by search)."
        ),
    )


class BatchReceipts(BaseModel):
    """The answer to a batch: one receipt per statement, in request order."""

    model_config = FROZEN

    receipts: list[Receipt] = Field(description="The statements' receipts, in request order.")
