"""Wire models of the registry's answers to a court's questions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from cunzheng.schemas.bundles import Bundle
from cunzheng.schemas.questions import Question
from cunzheng.schemas.receipts import Receipt
from cunzheng.schemas.types import FROZEN


class RegistryAnswer(BaseModel):
    """An answer, and the evidence bundle of the entries it rests on (to check it offline)."""

    model_config = FROZEN

    question: Question = Field(description="The question as asked: its kind and parameters.")
    answer: Any = Field(description="The answer, as the registry's state gives it.")
    bundle: Bundle | None = Field(
        description=(
            "The entries the answer rests on, with their proofs, and the question and answer "
            "as the bundle's claim, which `cunzheng verify` recomputes offline; null when no "
            "entry bears on the answer."
        )
    )


class ConfidentialDeposited(BaseModel):
    """The answer to a deposit of confidential particulars: which were stored."""

    model_config = FROZEN

    asset: str = Field(description="The asset's id (hex).")
    deposited: list[str] = Field(description="The particulars stored, sorted.")


class ConfidentialField(BaseModel):
    """One confidential particular: its text and the salt of its commitment."""

    model_config = FROZEN

    salt: str = Field(
        description="The 32-byte salt, canonical base64.",
        pattern=r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$",
    )
    value: str = Field(description="The particular's text.")


class ConfidentialDeposit(BaseModel):
    """A deposit of confidential particulars, signed by the asset's holder."""

    model_config = FROZEN

    fields: dict[str, ConfidentialField] = Field(
        min_length=1,
        description="Each particular's text and salt, by name; they must open its commitment.",
    )


class ConfidentialOut(BaseModel):
    """Confidential particulars as read by the holder or a court, with the receipt of the logged read."""

    model_config = FROZEN

    asset: str = Field(description="The asset's id (hex).")
    fields: dict[str, ConfidentialField] = Field(description="Each particular, by name.")
    access_receipt: Receipt = Field(
        description="The receipt of the access.read entry logged first."
    )
