"""Drafts: a statement on its way to being signed by every party the rules require.

A draft is a statement whose signatures are still being gathered: its
submitter (``signer``) is fixed when it is prepared, and each party adds its
signature on its own machine with its own key, so keys never travel. The
submitter's signature and the cosignatures cover the same bytes
(``ledger.statements``), so they may be added in any order. A draft file
(``cunzheng.draft/v1``) is JSON:

    {"format": "cunzheng.draft/v1",
     "statement": {"type": ..., "signer": ..., "signed_at": ..., "body": {...},
                   "signature"?: ..., "cosignatures"?: [...]},
     "signatories": [{"role": "holder", "submitter": false,
                      "parties": [{"id": hex, "name": str, "keys": [base64, ...]}]}, ...],
     "summary": ["what the statement does, in words", ...]}

``signatories`` says who must sign, as the registry's rules said when the
draft was prepared (``ledger.registry.signers``); it lets a party see what it
signs and what is still missing without asking the log. Before submitting,
the client asks the rules again against the log as it then stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from cunzheng.ledger.canonical import loads
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import InvalidSignature, LedgerError, MalformedInput
from cunzheng.ledger.statements import Statement, cosign, parse_statement

__all__ = ["DRAFT_FORMAT", "Draft", "PartyRef", "Signatory"]

DRAFT_FORMAT = "cunzheng.draft/v1"
# Stands in for the submitter's signature until it signs: 64 zero bytes verify under no key.
_UNSIGNED = bytes(64)


@dataclass(frozen=True)
class PartyRef:
    """A party as a draft names it: its id, its name and the keys that may sign for it."""

    id: bytes
    name: str
    keys: tuple[bytes, ...]

    def __str__(self) -> str:
        return f"{self.name} ({self.id.hex()[:12]})"


@dataclass(frozen=True)
class Signatory:
    """A signature the rules require: a key of one of *parties* acting as *role* (as the submitter, if *submitter*)."""

    role: str
    parties: tuple[PartyRef, ...]
    submitter: bool = False

    def met(self, signer: bytes, signed: Iterable[bytes]) -> bool:
        """Return whether the keys that have signed (*signer* being the statement's submitter) meet it."""
        keys = {k for p in self.parties for k in p.keys}
        present = set(signed)
        if self.submitter:
            return signer in present and signer in keys
        return bool(keys & present)

    def __str__(self) -> str:
        who = " or ".join(str(p) for p in self.parties) or "nobody registered"
        return f"{self.role}: {who}" + (" (as submitter)" if self.submitter else "")


@dataclass(frozen=True)
class Draft:
    """A statement and the signatures it has so far; ``signatories`` lists who must sign it."""

    statement: Statement
    signatories: tuple[Signatory, ...] = ()
    summary: tuple[str, ...] = field(default=())

    @classmethod
    def new(
        cls,
        *,
        type: str,
        body: Mapping[str, Any],
        signer: bytes,
        signed_at: datetime,
        signatories: tuple[Signatory, ...] = (),
        summary: tuple[str, ...] = (),
    ) -> Draft:
        """Return an unsigned draft of a statement of *type* with *body*, to be submitted by key *signer*."""
        fields = {
            "type": type,
            "signer": encode_base64(signer),
            "signed_at": format_time(signed_at),
            "body": dict(body),
            "signature": encode_base64(_UNSIGNED),
        }
        return cls(parse_statement(fields), signatories, summary)

    @property
    def submitter_signed(self) -> bool:
        """Return whether the submitter (the statement's ``signer``) has signed."""
        return self.statement.signature != _UNSIGNED

    @property
    def signed(self) -> tuple[bytes, ...]:
        """Return the keys whose signatures the draft holds: the submitter's first, if it has signed."""
        first = (self.statement.signer,) if self.submitter_signed else ()
        return (*first, *self.statement.cosigners)

    def missing(self) -> tuple[Signatory, ...]:
        """Return the signatories whose signature the draft still lacks."""
        signer, signed = self.statement.signer, self.signed
        return tuple(s for s in self.signatories if not s.met(signer, signed))

    def sign(self, key: SigningKey) -> Draft:
        """Return the draft with *key*'s signature added: the submitter's if *key* is the signer's, else a cosignature."""
        public = bytes(key.verify_key)
        expected = {k for s in self.signatories for p in s.parties for k in p.keys}
        if self.signatories and public not in expected | {self.statement.signer}:
            wanted = "; ".join(str(s) for s in self.signatories)
            raise LedgerError(
                f"key {encode_base64(public)} is not a key of any party that must sign this "
                f"{self.statement.type} ({wanted})"
            )
        statement = self.statement
        if public == statement.signer:
            fields = dict(statement.fields)
            fields["signature"] = encode_base64(key.sign(statement.signed_message()).signature)
            return replace(self, statement=parse_statement(fields))
        return replace(self, statement=cosign(statement, key))

    def check_signatures(self) -> None:
        """Return None if every signature the draft holds verifies, else raise InvalidSignature naming the key."""
        message = self.statement.signed_message()
        pairs = list(zip(self.statement.cosigners, self.statement.cosignatures, strict=True))
        if self.submitter_signed:
            pairs.insert(0, (self.statement.signer, self.statement.signature))
        for key, signature in pairs:
            try:
                VerifyKey(key).verify(message, signature)
            except (BadSignatureError, ValueError):
                raise InvalidSignature(
                    f"the signature of key {encode_base64(key)} does not verify: the statement "
                    "changed after it was signed, or the draft was damaged"
                ) from None

    def final(self) -> Statement:
        """Return the statement to submit; raise InvalidSignature if its submitter has not signed."""
        if not self.submitter_signed:
            signer = self.statement.signer
            named = [str(p) for s in self.signatories for p in s.parties if signer in p.keys]
            who = named[0] if named else f"key {encode_base64(signer)}"
            raise InvalidSignature(f"the submitter, {who}, has not signed this draft yet")
        self.check_signatures()
        return self.statement

    def to_json(self) -> bytes:
        """Return the draft as a ``cunzheng.draft/v1`` JSON document."""
        statement = dict(self.statement.fields)
        if not self.submitter_signed:
            del statement["signature"]
        doc = {
            "format": DRAFT_FORMAT,
            "statement": statement,
            "signatories": [_signatory_doc(s) for s in self.signatories],
            "summary": list(self.summary),
        }
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> Draft:
        """Return the draft in a ``cunzheng.draft/v1`` document, its signatures checked."""
        doc = loads(data, what="draft")
        if not isinstance(doc, dict) or doc.get("format") != DRAFT_FORMAT:
            raise MalformedInput(f"a draft is a JSON object with format {DRAFT_FORMAT!r}")
        try:
            fields = dict(doc["statement"])
            fields.setdefault("signature", encode_base64(_UNSIGNED))
            signatories = tuple(_signatory(s) for s in doc.get("signatories", []))
            summary = tuple(str(line) for line in doc.get("summary", []))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise MalformedInput(f"draft: {e}") from None
        draft = cls(parse_statement(fields), signatories, summary)
        draft.check_signatures()
        return draft


def _signatory_doc(signatory: Signatory) -> dict[str, Any]:
    return {
        "role": signatory.role,
        "submitter": signatory.submitter,
        "parties": [
            {"id": p.id.hex(), "name": p.name, "keys": [encode_base64(k) for k in p.keys]}
            for p in signatory.parties
        ],
    }


def _signatory(doc: Any) -> Signatory:
    parties = tuple(
        PartyRef(
            bytes.fromhex(p["id"]),
            str(p["name"]),
            tuple(decode_base64(k, what="a signatory's key", size=32) for k in p["keys"]),
        )
        for p in doc["parties"]
    )
    return Signatory(str(doc["role"]), parties, bool(doc.get("submitter", False)))
