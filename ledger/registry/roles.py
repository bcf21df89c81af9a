"""Who signed a statement, in terms of parties: the registry's rules ask by role."""

from __future__ import annotations

from datetime import datetime

from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.registry.parties import PartyView, current_key
from cunzheng.ledger.statements import Statement


def party_of(view: PartyView, key: bytes, logged_at: datetime) -> bytes:
    """Return the id of the party whose current key *key* is."""
    return current_key(view, key, logged_at).party


def require_kind(view: PartyView, party_id: bytes, kind: str, code: str) -> None:
    """Return None if party *party_id* is registered and of *kind*, else raise RuleViolation *code*."""
    party = view.party(party_id)
    if party is None or party.kind != kind:
        found = "not registered" if party is None else f"a {party.kind}"
        raise RuleViolation(
            code, f"party {party_id.hex()} must be a registered {kind}; it is {found}"
        )


def signed_by(statement_signers: tuple[bytes, ...], view: PartyView, party_id: bytes) -> bool:
    """Return whether one of the signing keys belongs to party *party_id*."""
    for key in statement_signers:
        record = view.key(key)
        if record is not None and record.party == party_id:
            return True
    return False


def require_signed_by(
    statement: Statement, view: PartyView, party_id: bytes, role: str, *, code: str | None = None
) -> None:
    """Return None if a key of party *party_id* signed *statement*, else raise RuleViolation naming *role*."""
    signers = statement.signers
    if not signed_by(signers, view, party_id):
        raise RuleViolation(
            code or f"signature.missing_{role.replace(' ', '_')}",
            f"{statement.type} must be signed by the {role} (party {party_id.hex()})",
        )
