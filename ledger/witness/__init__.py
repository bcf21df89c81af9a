"""Witnessing: a witness that cosigns checkpoints, and the log's client that gathers cosignatures.

A witness (C2SP tlog-witness) keeps the latest checkpoint it cosigned for
each log it follows and cosigns a new one only if a consistency proof shows
it extends that one, so a log cannot show two histories to two parties that
both rely on the same witnesses. ``state`` holds the protocol's rule as pure
functions, ``store`` the witness's durable state, ``service`` the witness
itself, and ``client`` the log's side that gathers cosignatures. The HTTP
app is ``api.witness_app``.
"""

from cunzheng.ledger.witness.client import ProofFn, WitnessEndpoint, gather
from cunzheng.ledger.witness.service import Witness
from cunzheng.ledger.witness.state import Fork, LogHead, SizeConflict

__all__ = ["Fork", "LogHead", "ProofFn", "SizeConflict", "Witness", "WitnessEndpoint", "gather"]
