"""What a command reads from the user's files: their bytes, and the log's verifier key."""

from __future__ import annotations

from pathlib import Path

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import read_verifier
from cunzheng.ledger.note import Verifier

__all__ = ["read_input", "read_log_key"]


def read_input(path: Path) -> bytes:
    """Return the bytes of *path*, or raise LedgerError naming it if it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LedgerError(f"{path} does not exist") from None


def read_log_key(text: str) -> Verifier:
    """Return the verifier key in *text*, or in the file *text* names."""
    return read_verifier(text)
