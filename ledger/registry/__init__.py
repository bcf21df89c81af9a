"""The rules of the log: which well-formed statements are allowed, given the log before them.

``check`` is the one place that decides. The sequencer calls it for each
statement in log order, against a view of the state the log has built so
far, and writes the effects it returns; the verifier replays the same rules
over the entries in an evidence bundle.
"""

from cunzheng.ledger.registry.effects import Effects
from cunzheng.ledger.registry.parties import KeyRecord, Party, PartyView
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.registry.rules import check
from cunzheng.ledger.registry.state import Asset, Licence, Objection, RegistryView

__all__ = [
    "Asset",
    "Effects",
    "KeyRecord",
    "Licence",
    "Objection",
    "Party",
    "PartyView",
    "Policy",
    "RegistryView",
    "check",
]
