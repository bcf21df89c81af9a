"""A court's question to the registry, as asked: its kind and parameters (docs/registry.md).

The registry answers six questions: the history of an asset (``history``),
who held it at a time (``holder``), whether a party was licensed to use it
for a purpose at a time (``licensed``), what a party holds, now or at a time
(``portfolio``, with or without ``at``), which assets ever bore a dataset
fingerprint (``fingerprint``) and which asset was registered under a
certificate number (``certificate``). Each answer can be proved complete
against the log's verifiable index, absence included (docs/verifier.md).
Ids are 64 lowercase hex digits and times RFC 3339 UTC with ``Z``, each
spelled one way only, so a changed bit never leaves a question intact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from cunzheng.schemas.types import FROZEN

QuestionKind = Literal["history", "holder", "licensed", "portfolio", "fingerprint", "certificate"]
HexId = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def _real_time(value: str) -> str:
    # The pattern admits month 51 or second 60; a time no calendar holds is refused here.
    datetime.fromisoformat(value.removesuffix("Z"))
    return value


UtcTime = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", description="RFC 3339 UTC"),
    AfterValidator(_real_time),
]

_NAMES = ("asset", "party", "purpose", "at", "fingerprint", "certificate")
# The parameters each kind of question takes, all of them required, and those it may take.
PARAMETERS: dict[str, frozenset[str]] = {
    "history": frozenset({"asset"}),
    "holder": frozenset({"asset", "at"}),
    "licensed": frozenset({"asset", "party", "purpose", "at"}),
    "portfolio": frozenset({"party"}),
    "fingerprint": frozenset({"fingerprint"}),
    "certificate": frozenset({"certificate"}),
}
OPTIONAL: dict[str, frozenset[str]] = {"portfolio": frozenset({"at"})}


class Question(BaseModel):
    """A court's question to the registry: its kind and exactly the parameters that kind takes."""

    model_config = FROZEN

    kind: QuestionKind = Field(
        description=(
            "history: the asset as it stands; holder: who held the asset at a time; licensed: "
            "the licences under which a party could use the asset for a purpose at a time; "
            "portfolio: the assets a party holds, the licences it holds and the assets pledged to "
            "it (with at: the assets it held, the licences of it in force and the assets pledged "
            "to it at that time); fingerprint: the assets whose application or a new version bore "
            "a dataset fingerprint; certificate: the asset registered under a certificate number."
        )
    )
    asset: HexId | None = Field(
        default=None, description="The asset's id (history, holder, licensed)."
    )
    party: HexId | None = Field(default=None, description="The party's id (licensed, portfolio).")
    purpose: str | None = Field(
        default=None,
        min_length=1,
        description="The purpose of use, as licences name it (licensed).",
    )
    at: UtcTime | None = Field(
        default=None,
        description=(
            "The time asked about, RFC 3339 UTC with microseconds (holder, licensed; "
            "optionally portfolio)."
        ),
    )
    fingerprint: HexId | None = Field(
        default=None, description="The dataset fingerprint, SHA-256 in hex (fingerprint)."
    )
    certificate: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^\S+$",
        description="The registration certificate number, as issued (certificate).",
    )

    @model_validator(mode="after")
    def _parameters(self) -> Question:
        given = {name for name in _NAMES if getattr(self, name) is not None}
        wanted = PARAMETERS[self.kind]
        if not wanted <= given <= wanted | OPTIONAL.get(self.kind, frozenset()):
            raise ValueError(
                f"a {self.kind} question takes {', '.join(sorted(wanted))}; "
                f"this one gives {', '.join(sorted(given)) or 'nothing'}"
            )
        return self
