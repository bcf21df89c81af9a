"""The operator's own party and the log's settings: the log states both on first start.

The operator signs the registration of exchanges, courts and financial
institutions. Its first registration is the only statement a key may sign
before it is registered (the genesis rule in ``ledger.registry.rules``).
Right after it, whenever the configured registry settings differ from those
in force, the operator signs a ``log.settings`` statement that applies from
its own entry on, so the rules, a rebuild and every replay read the log's
own settings from the log. A log that has no ``log.settings`` entry runs
under ``DEFAULT_POLICY`` (15 days of publicity, a 1,096-day term,
``shanghai-data-ip`` with CNIPA's number formats), which is part of the log
format: every replay applies it too, so a log on the defaults states nothing.
"""

from __future__ import annotations

from cunzheng.ledger.clock import utc_now
from cunzheng.ledger.keyfiles import submitter_key
from cunzheng.ledger.note import Signer
from cunzheng.ledger.registry.parties import b64
from cunzheng.ledger.registry.policy import DEFAULT_POLICY, Policy
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


def state_settings(
    store: ReadOnlyStore, sequencer: Sequencer, signer: Signer, *, policy: Policy
) -> None:
    """Log *policy* as a ``log.settings`` signed by the operator unless it is already in force."""
    if (store.log_settings() or DEFAULT_POLICY) == policy:
        return
    statement = sign_statement(
        type="log.settings", body=policy.body(), key=submitter_key(signer), signed_at=utc_now()
    )
    sequencer.add(statement).result()
