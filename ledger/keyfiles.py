"""Reading keys and certificates from files and arguments: the one place that does it.

* Ed25519 signing keys (the log's, the operator's, submitters', witnesses')
  are kept in the C2SP signed-note private key format
  (``PRIVATE+KEY+<name>+<key id>+<base64>``), one line, file mode 0600.
* Verifier keys are ``<name>+<key id>+<base64>`` strings, given as an
  argument or in a file.
* The time-stamp authority's key and certificates are PEM files.

Every reader raises LedgerError (MalformedInput for a file that does not
parse) naming the file, so the command line can print it as it is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from nacl.signing import SigningKey

from cunzheng.ledger.encoding import decode_base64
from cunzheng.ledger.errors import LedgerError, MalformedInput
from cunzheng.ledger.note import Ed25519PrivateKey, Signer, Verifier

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

__all__ = [
    "LOG_KEY_FILE",
    "OPERATOR_KEY_FILE",
    "log_signer",
    "operator_signer",
    "read_certificates",
    "read_key",
    "read_pem_key",
    "read_private_key",
    "read_public_key",
    "read_verifier",
    "submitter_key",
    "write_key",
]

LOG_KEY_FILE = "log.key"
OPERATOR_KEY_FILE = "operator.key"

_K = TypeVar("_K", bound=Ed25519PrivateKey)


def _read_bytes(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LedgerError(f"{what} file {path} does not exist") from None
    except OSError as e:
        raise LedgerError(f"cannot read {what} file {path}: {e}") from None


def _read_text(path: Path, what: str) -> str:
    try:
        return _read_bytes(path, what).decode("utf-8").strip()
    except UnicodeDecodeError as e:
        raise LedgerError(f"cannot read {what} file {path}: {e}") from None


def write_key(path: Path, signer: Ed25519PrivateKey) -> None:
    """Write *signer* to a new file at *path*, readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(signer.to_string() + "\n")


def read_private_key(path: Path, kind: type[_K], *, what: str = "key") -> _K:
    """Return the Ed25519 private key of type *kind* (note signer, witness key) stored at *path*."""
    try:
        return kind.from_string(_read_text(path, what))
    except MalformedInput as e:
        raise MalformedInput(f"{what} file {path}: {e}") from None


def read_key(path: Path) -> Signer:
    """Return the note signer stored at *path*."""
    return read_private_key(path, Signer)


def read_verifier(text: str) -> Verifier:
    """Return the verifier key in *text*, or in the file *text* names."""
    path = Path(text)
    if "+" not in text or path.is_file():
        text = _read_text(path, "verifier key")
    return Verifier.from_string(text)


def read_public_key(text: str) -> bytes:
    """Return the Ed25519 public key named by *text*: a key file, a verifier key or base64."""
    if Path(text).is_file():
        return read_key(Path(text)).public_key
    try:
        return Verifier.from_string(text).public_key
    except MalformedInput:
        pass
    try:
        return decode_base64(text, what="the key", size=32)
    except MalformedInput:
        raise LedgerError(
            f"{text!r} is neither a key file, a verifier key nor a base64 Ed25519 public key"
        ) from None


def read_pem_key(path: Path, *, what: str) -> PrivateKeyTypes:
    """Return the unencrypted PEM private key in *path*, the *what* (say, "TSA key")."""
    from cryptography.hazmat.primitives import serialization

    data = _read_bytes(path, what)
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as e:
        raise MalformedInput(f"cannot read the {what} in {path}: {e}") from None


def read_certificates(path: Path, *, what: str) -> list[x509.Certificate]:
    """Return the PEM certificates in *path*, in file order, the *what* (say, "TSA certificate")."""
    from cryptography import x509

    data = _read_bytes(path, what)
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as e:
        raise MalformedInput(f"cannot read the {what}s in {path}: {e}") from None


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
