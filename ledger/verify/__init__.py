"""The offline verifier: a receipt or an evidence bundle, the log's public key and the files.

Nothing here does I/O. ``verify_receipt`` checks one receipt and raises on
the first failure; ``verify_bundle`` checks everything a bundle claims and
returns one ``Report`` that every face of the verifier (terminal text, JSON,
the web page) only translates.
"""

from cunzheng.ledger.verify.attestations import checkpoint_imprint
from cunzheng.ledger.verify.checkpoints import CurrentCheckpoint
from cunzheng.ledger.verify.receipt import VerifiedReceipt, verify_receipt
from cunzheng.ledger.verify.report import (
    LANGS,
    Check,
    Fact,
    Finding,
    Lang,
    Outcome,
    Report,
    render_text,
    report_json,
    text,
)
from cunzheng.ledger.verify.verifier import bundle_json, parse_bundle, verify_bundle

__all__ = [
    "LANGS",
    "Check",
    "CurrentCheckpoint",
    "Fact",
    "Finding",
    "Lang",
    "Outcome",
    "Report",
    "VerifiedReceipt",
    "bundle_json",
    "checkpoint_imprint",
    "parse_bundle",
    "render_text",
    "report_json",
    "text",
    "verify_bundle",
    "verify_receipt",
]
