"""Wire models of the registry's answers to a court's questions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from cunzheng.schemas.bundles import Bundle
from cunzheng.schemas.questions import Question
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
