"""The witness's data directory: its key, the checkpoint it last cosigned per log, evidence.

``witness.key`` holds the cosigning key (mode 0600, created on first start).
``witness-state.json`` holds, for each log, the size, root and signed note of
the latest checkpoint the witness cosigned; it is replaced atomically (write
a temporary file, fsync, rename, fsync the directory), so a crash leaves
either the old state or the new one, never a torn file. The witness answers
a request only after its new state is durable (C2SP tlog-witness: "The
witness MUST persist the new checkpoint before responding").
``evidence/`` keeps validly signed checkpoints the witness refused because
they fork or do not extend what it holds: they prove the log misbehaved.
A lock file keeps a second witness process off the same directory.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from pathlib import Path
from typing import IO, Any

import orjson

from cunzheng.ledger.cosignature import CosignatureSigner
from cunzheng.ledger.durable import fsync_path, write_atomically
from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import LedgerError, MalformedInput
from cunzheng.ledger.keyfiles import read_private_key
from cunzheng.ledger.witness.state import LogHead

KEY_FILE = "witness.key"
STATE_FILE = "witness-state.json"
LOCK_FILE = "witness.lock"
EVIDENCE_DIR = "evidence"
STATE_FORMAT = "cunzheng.witness-state/v1"


def witness_key_path(data_dir: Path) -> Path:
    """Return where the witness in *data_dir* keeps its key."""
    return data_dir / KEY_FILE


def read_witness_key(data_dir: Path) -> CosignatureSigner:
    """Return the witness key stored in *data_dir*."""
    path = witness_key_path(data_dir)
    if not path.exists():
        raise LedgerError(
            f"there is no witness key in {data_dir}; "
            f"run `cunzheng witness key --data-dir {data_dir} --name NAME` to make one"
        )
    return read_private_key(path, CosignatureSigner, what="witness key")


def witness_signer(data_dir: Path, name: str | None) -> CosignatureSigner:
    """Return the witness key in *data_dir*, creating the directory and a key named *name* if none."""
    path = witness_key_path(data_dir)
    if not path.exists() and name is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        signer = CosignatureSigner.generate(name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(signer.to_string() + "\n")
            f.flush()
            os.fsync(f.fileno())
        fsync_path(data_dir)
    signer = read_witness_key(data_dir)
    if name is not None and signer.name != name:
        raise LedgerError(
            f"the witness key in {path} is for witness {signer.name!r}, not {name!r}; "
            f"use --name {signer.name} or another data directory"
        )
    return signer


class WitnessStore:
    """The latest cosigned checkpoint of each log, kept durably in a data directory."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self._lock: IO[bytes] | None = open(data_dir / LOCK_FILE, "ab")  # noqa: SIM115
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise LedgerError(f"another witness is running on {data_dir}") from None
        try:
            self._heads = _load(data_dir / STATE_FILE)
        except LedgerError:
            self.close()
            raise

    def head(self, origin: str) -> LogHead | None:
        """Return what the witness holds for log *origin*, or None if it never cosigned for it."""
        return self._heads.get(origin)

    def heads(self) -> dict[str, LogHead]:
        """Return what the witness holds for every log it has cosigned for."""
        return dict(self._heads)

    def save(self, origin: str, head: LogHead) -> None:
        """Make *head* the latest cosigned checkpoint of log *origin*, durably, before returning."""
        heads = {**self._heads, origin: head}
        write_atomically(self.data_dir / STATE_FILE, _dump(heads))
        self._heads = heads

    def keep_evidence(self, origin: str, request: bytes, reason: str) -> Path:
        """Write a refused, validly signed request and why it was refused; return its file."""
        directory = self.data_dir / EVIDENCE_DIR
        directory.mkdir(exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", origin)[:80]
        digest = hashlib.sha256(request).hexdigest()[:16]
        path = directory / f"{safe}-{digest}.txt"
        write_atomically(path, f"# {reason}\n".encode() + request)
        return path

    def close(self) -> None:
        """Release the data directory."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _dump(heads: dict[str, LogHead]) -> bytes:
    logs = {
        origin: {
            "size": head.size,
            "root": encode_base64(head.root),
            "checkpoint": head.note,
        }
        for origin, head in sorted(heads.items())
    }
    return orjson.dumps({"format": STATE_FORMAT, "logs": logs}, option=orjson.OPT_INDENT_2)


def _load(path: Path) -> dict[str, LogHead]:
    try:
        data: Any = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except orjson.JSONDecodeError as e:
        raise LedgerError(f"witness state {path} is not valid JSON: {e}") from None
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise LedgerError(f"witness state {path} is not a {STATE_FORMAT} file")
    heads = {}
    try:
        for origin, log in data["logs"].items():
            root = decode_base64(log["root"], what=f"the root of {origin}", size=32)
            if not isinstance(log["size"], int):
                raise ValueError(f"the size of {origin} is not an integer")
            heads[origin] = LogHead(log["size"], root, str(log["checkpoint"]))
    except (KeyError, TypeError, ValueError, AttributeError, MalformedInput) as e:
        raise LedgerError(f"witness state {path} is damaged: {e}") from None
    return heads
