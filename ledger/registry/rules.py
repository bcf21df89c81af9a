"""The rule for each statement type, and the effects an allowed statement has."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ledger.bodies import hex_digest, public_key
from ledger.clock import parse_time
from ledger.errors import RuleViolation
from ledger.registry.parties import (
    KeyRecord,
    Party,
    PartyView,
    b64,
    current_key,
    kind_of,
    require_party,
    require_unregistered,
)
from ledger.statements import Statement

# Kinds of party only the operator may register (a rights holder or witness may register itself).
OPERATOR_REGISTERED = ("exchange", "court", "operator")


@dataclass(frozen=True)
class Effects:
    """What an allowed statement changes: parties, keys, and digests to index for search."""

    parties: tuple[Party, ...] = ()
    keys: tuple[KeyRecord, ...] = ()
    digests: tuple[bytes, ...] = ()


Rule = Callable[[Statement, int, datetime, PartyView], Effects]


def check(statement: Statement, *, index: int, logged_at: datetime, view: PartyView) -> Effects:
    """Return the effects of *statement* logged at *index*, or raise RuleViolation saying why not."""
    for cosigner in statement.cosigners:
        current_key(view, cosigner, logged_at)
    return RULES[statement.type](statement, index, logged_at, view)


def _register(statement: Statement, index: int, logged_at: datetime, view: PartyView) -> Effects:
    body = statement.body
    key = public_key(body["key"], "key")
    kind = body["kind"]
    require_unregistered(view, key)
    genesis = kind == "operator" and not view.has_operator()
    self_signed = statement.signer == key
    if genesis and not self_signed:
        raise RuleViolation(
            "party.genesis_not_self_signed", "the first operator must sign its own registration"
        )
    if not genesis and not (self_signed and kind not in OPERATOR_REGISTERED):
        allowed = ("operator",) if kind in OPERATOR_REGISTERED else ("operator", "exchange")
        signer_kind = (
            "" if self_signed else kind_of(view, current_key(view, statement.signer, logged_at))
        )
        if signer_kind not in allowed:
            raise RuleViolation(
                "party.registration_not_authorised",
                f"a {kind} party is registered by {' or '.join(allowed)}"
                + ("" if kind in OPERATOR_REGISTERED else ", or by itself")
                + f", not by {'itself' if self_signed else 'a ' + signer_kind + ' party'}",
            )
    party = Party(statement.hash, kind, body["name"], body.get("registry_id"), index)
    return Effects(parties=(party,), keys=(KeyRecord(key, party.id, index),))


def _authorise_for_party(
    statement: Statement, logged_at: datetime, view: PartyView, party: Party
) -> None:
    signer = current_key(view, statement.signer, logged_at)
    if signer.party != party.id and kind_of(view, signer) != "operator":
        raise RuleViolation(
            "party.not_authorised",
            f"only a current key of party {party.id.hex()} or the operator may change its keys",
        )


def _key_of(view: PartyView, party: Party, key: bytes) -> KeyRecord:
    record = view.key(key)
    if record is None or record.party != party.id:
        raise RuleViolation(
            "key.not_of_party", f"key {b64(key)} does not belong to party {party.id.hex()}"
        )
    return record


def _rotate(statement: Statement, index: int, logged_at: datetime, view: PartyView) -> Effects:
    body = statement.body
    party = require_party(view, hex_digest(body["party"], "party"))
    _authorise_for_party(statement, logged_at, view, party)
    old = _key_of(view, party, public_key(body["old_key"], "old_key"))
    if not old.valid_at(logged_at):
        raise RuleViolation(
            "key.revoked", f"key {b64(old.key)} is already revoked; nothing to rotate"
        )
    new_key = public_key(body["new_key"], "new_key")
    require_unregistered(view, new_key)
    return Effects(keys=(old.revoked(logged_at, index), KeyRecord(new_key, party.id, index)))


def _revoke(statement: Statement, index: int, logged_at: datetime, view: PartyView) -> Effects:
    body = statement.body
    party = require_party(view, hex_digest(body["party"], "party"))
    _authorise_for_party(statement, logged_at, view, party)
    record = _key_of(view, party, public_key(body["key"], "key"))
    return Effects(keys=(record.revoked(parse_time(body["from"], what="from"), index),))


def _timestamp(statement: Statement, index: int, logged_at: datetime, view: PartyView) -> Effects:
    current_key(view, statement.signer, logged_at)
    return Effects(digests=(bytes.fromhex(statement.body["sha256"]),))


def _dataset(statement: Statement, index: int, logged_at: datetime, view: PartyView) -> Effects:
    current_key(view, statement.signer, logged_at)
    return Effects(digests=(bytes.fromhex(statement.body["root"]),))


RULES: dict[str, Rule] = {
    "evidence.timestamp": _timestamp,
    "evidence.dataset": _dataset,
    "party.register": _register,
    "party.rotate_key": _rotate,
    "party.revoke_key": _revoke,
}
