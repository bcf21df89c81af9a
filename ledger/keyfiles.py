"""Key files: the log's signing key in its data directory and submitters' keys.

Both are stored in the C2SP signed-note private key format
(``PRIVATE+KEY+<name>+<key id>+<base64>``), one line, file mode 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

from nacl.signing import SigningKey

from cunzheng.ledger.errors import LedgerError, MalformedInput
from cunzheng.ledger.note import Signer

LOG_KEY_FILE = "log.key"
OPERATOR_KEY_FILE = "operator.key"


def write_key(path: Path, signer: Signer) -> None:
    """Write *signer* to a new file at *path*, readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(signer.to_string() + "\n")


def read_key(path: Path) -> Signer:
    """Return the signer stored at *path*."""
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        raise LedgerError(f"key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise LedgerError(f"cannot read key file {path}: {e}") from None
    try:
        return Signer.from_string(text)
    except MalformedInput as e:
        raise MalformedInput(f"key file {path}: {e}") from None


def log_signer(data_dir: Path, origin: str) -> Signer:
    """Return the log's signer from *data_dir*, creating the directory and key on first start."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOG_KEY_FILE
    if not path.exists():
        write_key(path, Signer.generate(origin))
    signer = read_key(path)
    if signer.name != origin:
        raise LedgerError(
            f"the log key in {path} is for origin {signer.name!r}, but the configured origin is "
            f"{origin!r}; set CUNZHENG_ORIGIN={signer.name} or use another data directory"
        )
    return signer


def operator_signer(data_dir: Path) -> Signer:
    """Return the operator's statement key from *data_dir*, creating it on first start."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / OPERATOR_KEY_FILE
    if not path.exists():
        write_key(path, Signer.generate("operator"))
    return read_key(path)


def submitter_key(signer: Signer) -> SigningKey:
    """Return the Ed25519 key that signs statements for *signer*."""
    return SigningKey(signer.seed)
