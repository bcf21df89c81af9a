"""Wire models of evidence search."""

from __future__ import annotations

from pydantic import BaseModel, Field

from cunzheng.schemas.receipts import Receipt
from cunzheng.schemas.types import FROZEN


class EvidenceSearchOut(BaseModel):
    """The statements that reference one digest, in log order, each with its receipt."""

    model_config = FROZEN

    sha256: str = Field(description="The digest searched for, in hex.")
    receipts: list[Receipt] = Field(description="Receipts against the latest checkpoint.")
