"""The operator's own party: the log registers it on first start.

The operator signs the registration of exchanges and courts. Its first
registration is the only statement a key may sign before it is registered
(the genesis rule in ``ledger.registry.rules``).
"""

from __future__ import annotations

from cunzheng.ledger.clock import utc_now
from cunzheng.ledger.keyfiles import submitter_key
from cunzheng.ledger.note import Signer
from cunzheng.ledger.registry.parties import b64
from cunzheng.ledger.sequencer import Sequencer
from cunzheng.ledger.statements import sign_statement
from cunzheng.ledger.store import ReadOnlyStore


def register_operator(
    store: ReadOnlyStore, sequencer: Sequencer, signer: Signer, *, name: str
) -> None:
    """Register the operator's key as the operator party unless *store* shows it already is."""
    key = submitter_key(signer)
    if store.key_record(bytes(key.verify_key)) is not None:
        return
    statement = sign_statement(
        type="party.register",
        body={"kind": "operator", "name": name, "key": b64(bytes(key.verify_key))},
        key=key,
        signed_at=utc_now(),
    )
    sequencer.add(statement).result()
