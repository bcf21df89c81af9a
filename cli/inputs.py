"""What a command reads from the user's files: their bytes, what kind of file they are, and keys."""

from __future__ import annotations

import re
from pathlib import Path

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import read_verifier
from cunzheng.ledger.note import Verifier

__all__ = ["SNIFF_BYTES", "read_input", "read_log_key", "sniff_format"]

# The C2SP private key prefix: a signing key given where a verifier key belongs.
_PRIVATE = "PRIVATE+KEY+"
# Enough of a file to tell a JSON document and its "format" from anything else.
SNIFF_BYTES = 64 << 10
_FORMAT = re.compile(rb'"format"\s*:\s*"([^"]{1,64})"')


def read_input(path: Path) -> bytes:
    """Return the bytes of *path*, or raise LedgerError naming it if it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LedgerError(f"{path} does not exist") from None


def sniff_format(path: Path) -> str | None:
    """Return the ``format`` a JSON file near its start declares, "" for other JSON, None for non-JSON.

    Only the first 64 KiB are read, so a large file that is not JSON costs nothing to refuse.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise LedgerError(f"{path} does not exist") from None
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return None
    found = _FORMAT.search(head)
    return found.group(1).decode("utf-8", "replace") if found else ""


def read_log_key(text: str) -> Verifier:
    """Return the verifier key in *text*, or in the file *text* names; refuse a private key."""
    path = Path(text)
    content = text
    if "+" not in text or path.is_file():
        try:
            content = path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            content = text
    if content.startswith(_PRIVATE):
        # Never echo it: the message would put a private key in a terminal's scrollback.
        where = f"{path} holds" if content != text else "that is"
        raise LedgerError(
            f"{where} a private signing key, not a log's verifier key; give the log's public "
            "key (`cunzheng log-key --server URL`, or the key its operator publishes), and keep "
            "private keys to yourself"
        )
    return read_verifier(text)
