"""Content digests computed on the client: the data never leaves the holder's machine."""

from __future__ import annotations

import hashlib
from pathlib import Path

# 1 MiB reads: large enough that hashing, not Python, sets the pace.
CHUNK_SIZE = 1 << 20


def sha256_file(path: str | Path, *, chunk_size: int = CHUNK_SIZE) -> bytes:
    """Return the SHA-256 of the file at *path*, streamed in constant memory."""
    digest = hashlib.sha256()
    buffer = bytearray(chunk_size)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buffer):
            digest.update(view[:n])
    return digest.digest()
