"""The evidence bundle: one file that lets anyone check, offline, what a log proves.

A bundle (``cunzheng.bundle/v1``) holds one checkpoint signed by the log's
key, the bundle checkpoint, and log entries each with its RFC 9162 inclusion
proof against it: the evidence entries the bundle is about and the party
entries that establish who held each signing key and when. Earlier
checkpoints (those in the holder's receipts, say) come with consistency
proofs to the bundle checkpoint, so a fork between them shows. Dataset
disclosures prove that single records or files belong to a logged dataset
root. RFC 3161 time-stamp tokens over the bundle checkpoint and witness
cosignatures of it give times that do not rest on the operator's clock; each
entry names (``timed_by``) the first checkpoint with such evidence that held
it, carried once in ``timed_checkpoints`` however many entries share it, so
that its own time is seconds after it was logged, not when the bundle was
made. The fields are optional: a bundle without them is still a valid
``cunzheng.bundle/v1`` and verifies as before. A
bundle that answers a court's question to the registry carries the question
and the claimed answer, which a verifier recomputes from the bundled entries.
A bundle with registry or party entries carries the log's ``log.settings``
entries (role ``settings``) and, when it can, the index proof that they are
all of them (``settings:log``), so that its entries are replayed under the
log's own registry settings.

Every hash is canonical base64 of exactly 32 bytes, so that a changed bit in
a bundle never leaves its meaning intact (docs/decisions/0004).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cunzheng.schemas.fingerprints import Disclosure
from cunzheng.schemas.questions import Question
from cunzheng.schemas.receipts import Receipt
from cunzheng.schemas.types import FROZEN, Base64Der, Base64Hash

BUNDLE_FORMAT: Final = "cunzheng.bundle/v1"
# Entries a request may name, and so roughly the most evidence one bundle holds.
MAX_REQUESTED = 1000
# The role of each statement family in a bundle.
ROLE_OF_FAMILY: Final = {
    "evidence": "evidence",
    "party": "party",
    "asset": "registry",
    "licence": "registry",
    "objection": "registry",
    "access": "registry",
    "log": "settings",
}


class BundleLog(BaseModel):
    """The log the bundle comes from, as the bundle names it (informational)."""

    model_config = FROZEN

    origin: str = Field(description="The log's checkpoint origin line.")
    verifier_key: str = Field(
        description=(
            "The log's C2SP signed-note verifier key, as the bundle names it. A verifier "
            "should be given the key independently; one taken from here proves only that "
            "the bundle is internally consistent."
        )
    )


class BundleEntry(BaseModel):
    """One log entry with its inclusion proof against the bundle checkpoint."""

    model_config = FROZEN

    role: Literal["evidence", "party", "registry", "settings"] = Field(
        description=(
            "evidence: an evidence.* statement the bundle is about; party: a party.* statement "
            "that registers, rotates or revokes a key a bundled statement was signed with; "
            "registry: an asset.*, licence.* or objection.* event of the data-IP registry, or a "
            "logged read of an asset's confidential particulars (access.read); settings: a "
            "log.settings statement of the operator, the registry settings (publicity period, "
            "longest term, registration systems) in force from its index on."
        )
    )
    index: int = Field(ge=0, description="The entry's leaf index in the log.")
    logged_at: str = Field(
        description="When the log integrated the statement (the log's claim), RFC 3339 UTC."
    )
    statement: dict[str, Any] = Field(description="The signed statement, as logged.")
    inclusion_proof: list[Base64Hash] = Field(
        description="RFC 9162 inclusion proof of the leaf in the bundle checkpoint, leaf to root."
    )
    timed_by: int | None = Field(
        default=None,
        ge=1,
        description=(
            "The tree size of the first checkpoint with independent evidence (RFC 3161 tokens, "
            "witness cosignatures) that holds this entry: the bundle checkpoint's size (its "
            "`timestamps` and `cosignatures`) or that of one of `timed_checkpoints`. Absent when "
            "no time-stamped checkpoint held the entry when the bundle was made, and in bundles "
            "made before entries carried their own time."
        ),
    )


class EarlierCheckpoint(BaseModel):
    """A checkpoint the log signed before the bundle checkpoint, with the proof that links them."""

    model_config = FROZEN

    checkpoint: str = Field(description="C2SP signed checkpoint note, e.g. from a receipt.")
    consistency_proof: list[Base64Hash] = Field(
        description="RFC 9162 consistency proof from this checkpoint's tree to the bundle checkpoint's."
    )


class BundleTimestamp(BaseModel):
    """An RFC 3161 time-stamp token over the bundle checkpoint."""

    model_config = FROZEN

    token: Base64Der = Field(
        description=(
            "RFC 3161 TimeStampToken (DER CMS SignedData), whose message imprint is the SHA-256 "
            "of the bundle checkpoint note exactly as in `checkpoint`."
        )
    )


class BundleCosignature(BaseModel):
    """A witness's cosignature of the bundle checkpoint (C2SP tlog-cosignature)."""

    model_config = FROZEN

    witness: str = Field(description="The witness's key name, as in its signature line.")
    signature: str = Field(
        description=(
            "base64(key ID || timestamp || Ed25519 signature), as after the name in the note "
            "signature line `— <witness> <signature>` appended to `checkpoint`."
        )
    )


class TimedCheckpoint(BaseModel):
    """An earlier checkpoint with its independent evidence: the time of the entries it first held."""

    model_config = FROZEN

    checkpoint: str = Field(description="C2SP signed checkpoint note, as the log signed it.")
    consistency_proof: list[Base64Hash] = Field(
        description="RFC 9162 consistency proof from this checkpoint's tree to the bundle checkpoint's."
    )
    timestamps: list[BundleTimestamp] = Field(
        default_factory=list,
        description=(
            "RFC 3161 time-stamp tokens whose message imprint is the SHA-256 of `checkpoint` "
            "exactly as written."
        ),
    )
    cosignatures: list[BundleCosignature] = Field(
        default_factory=list,
        description="Witness cosignatures (C2SP tlog-cosignature) of `checkpoint`.",
    )


class BundleClaim(BaseModel):
    """A court's question to the registry and the answer claimed for it, to recompute from the entries."""

    model_config = FROZEN

    question: Question = Field(description="The question as asked.")
    answer: Any = Field(
        default=None,
        description=(
            "The claimed answer, as the registry API gives it (absent for none). A verifier "
            "recomputes it by replaying the bundle's entries through the registry's rules."
        ),
    )
    entries: list[Annotated[int, Field(ge=0)]] = Field(
        description=(
            "The registry entries the answer rests on, by index, in increasing order: every "
            "registry entry in the bundle. One missing from the bundle was omitted."
        )
    )


class IndexProofOther(BaseModel):
    """The other key's leaf at which an absence proof ends: its path and value hash."""

    model_config = FROZEN

    path: str = Field(description="SHA-256 of the other key, base64.")
    value_hash: str = Field(description="SHA-256 of the other key's value, base64.")


class IndexProofJson(BaseModel):
    """A proof of a key's presence or absence in the verifiable index (``ledger.index.smt``)."""

    model_config = FROZEN

    key: str = Field(min_length=1, description="The key proved.")
    depth: int = Field(ge=0, le=256, description="How deep the proof goes (0 to 256).")
    siblings: list[str] = Field(description="The non-empty sibling hashes, root first, base64.")
    empty_bitmap: str = Field(description="Bit i set when sibling i is empty, base64.")
    other: IndexProofOther | None = Field(
        default=None, description="For absence at another key's leaf: that leaf."
    )


class BundleIndexProof(BaseModel):
    """One key of the verifiable index of registry state, its value and proof at the bundle checkpoint."""

    model_config = FROZEN

    key: str = Field(
        min_length=1,
        description="The index key: asset:<id>, fingerprint:<hex>, certificate:<number>, "
        "holder:<party>, licensee:<party>, pledgee:<party> or settings:log "
        "(ledger.index.entries).",
    )
    value: dict[str, Any] | None = Field(
        default=None,
        description=(
            "The key's document (its RFC 8785 canonical JSON is the value the index holds); "
            "absent when the proof shows that the index holds no such key."
        ),
    )
    proof: IndexProofJson = Field(
        description="The presence or absence proof against the `cunzheng-index` root line of `checkpoint`."
    )


class Bundle(BaseModel):
    """Everything needed to check, offline, what a log proves about some evidence."""

    model_config = FROZEN

    format: Literal["cunzheng.bundle/v1"] = Field(
        default=BUNDLE_FORMAT, description="Bundle format and version."
    )
    log: BundleLog = Field(description="The log the bundle comes from (informational).")
    checkpoint: str = Field(
        description="The bundle checkpoint: C2SP signed checkpoint note every inclusion proof is against."
    )
    entries: list[BundleEntry] = Field(
        description=(
            "The evidence and registry entries and the party entries they rely on, by index. "
            "Empty only in a bundle whose claimed answer rests on no entry (an absence)."
        ),
    )
    earlier_checkpoints: list[EarlierCheckpoint] = Field(
        default_factory=list,
        description="Earlier checkpoints of the same log, each consistent with the bundle checkpoint.",
    )
    disclosures: list[Disclosure] = Field(
        default_factory=list,
        description="cunzheng.disclosure/v1 proofs that single records or files belong to a logged dataset root.",
    )
    timestamps: list[BundleTimestamp] = Field(
        default_factory=list,
        description=(
            "RFC 3161 time-stamp tokens over the bundle checkpoint. Checked against the TSA "
            "roots a verifier is given; without any, reported as not checked."
        ),
    )
    cosignatures: list[BundleCosignature] = Field(
        default_factory=list,
        description=(
            "Witness cosignatures (C2SP tlog-cosignature) of the bundle checkpoint. Checked "
            "against the witnesses a verifier names; without any, reported as not checked."
        ),
    )
    timed_checkpoints: list[TimedCheckpoint] = Field(
        default_factory=list,
        description=(
            "The earlier checkpoints entries name in `timed_by`, in increasing size, each with "
            "its tokens and cosignatures and a consistency proof to the bundle checkpoint: each "
            "entry's own independent time, however long after it the bundle was made."
        ),
    )
    claim: BundleClaim | None = Field(
        default=None,
        description="The question and the claimed answer, when the bundle answers a court's question.",
    )
    index: list[BundleIndexProof] = Field(
        default_factory=list,
        description=(
            "With a claim: the proof, at the bundle checkpoint, of every index key the answer "
            "rests on (the asset's event list, a party's holdings, a fingerprint's assets...), "
            "so that a verifier checks that the bundle's entries are all the entries that bear "
            "on the answer. With registry or party entries: the proof of settings:log (present "
            "or absent), so that the bundle's settings entries are shown to be all the log's "
            "and the verifier replays under the log's own settings; absent when the bundle "
            "checkpoint is not the log's latest (index proofs are served at the latest only). "
            "Absent in bundles made before the log kept an index."
        ),
    )

    @model_validator(mode="after")
    def _something(self) -> Bundle:
        if not self.entries and self.claim is None:
            raise ValueError("a bundle holds at least one entry, unless it answers a question")
        return self


class BundleRequest(BaseModel):
    """The entries a bundle should cover: by index, by leaf hash, or by the receipts of their statements.

    At least one of the three lists names an entry (the service answers 400 otherwise).
    """

    model_config = ConfigDict(
        **FROZEN,
        json_schema_extra={
            "anyOf": [
                {"required": [name], "properties": {name: {"minItems": 1}}}
                for name in ("indexes", "leaf_hashes", "receipts")
            ]
        },
    )

    # Below 2^63: indexes are SQL BIGINTs (a larger one was a 500, not a 400).
    indexes: list[Annotated[int, Field(ge=0, lt=1 << 63)]] = Field(
        default_factory=list, description="Leaf indexes of the evidence entries."
    )
    leaf_hashes: list[Base64Hash] = Field(
        default_factory=list, description="RFC 9162 leaf hashes of the evidence entries."
    )
    receipts: list[Receipt] = Field(
        default_factory=list,
        description=(
            "Receipts of evidence statements; each receipt's checkpoint becomes an earlier "
            "checkpoint of the bundle, with a consistency proof."
        ),
    )


def bundle_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the bundle format."""
    schema = Bundle.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }


def bundle_json_schema_text() -> str:
    """Return the JSON Schema of the bundle format as the text of schemas/bundle.schema.json."""
    return json.dumps(bundle_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(bundle_json_schema_text(), end="")
