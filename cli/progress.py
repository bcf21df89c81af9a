"""A progress line on stderr while a large file is hashed, drawn only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from cunzheng.ledger.fingerprint import file_digest

__all__ = ["PROGRESS_MIN_BYTES", "ProgressLine", "hash_file"]

# Inputs smaller than this hash in a blink: no progress line.
PROGRESS_MIN_BYTES = 64 << 20


class ProgressLine:
    """A progress line on a terminal, redrawn with a carriage return; silent when not a terminal."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO | None = None,
        min_bytes: int = PROGRESS_MIN_BYTES,
        interval: float = 0.25,
    ) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty()
        self._label = label
        self._min_bytes = min_bytes
        self._interval = interval
        self._last = time.monotonic()
        self._width = 0

    @property
    def active(self) -> bool:
        """Return whether the stream is a terminal, so that lines may be drawn."""
        return self._enabled

    def __call__(self, done: int, total: int) -> None:
        """Redraw the line for *done* of *total* bytes, at most every interval."""
        if not self._enabled or total < self._min_bytes:
            return
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        line = (
            f"{self._label}: {done * 100 // total:3d}%  {done / 1e6:,.0f} of {total / 1e6:,.0f} MB"
        )
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = len(line)

    def close(self) -> None:
        """Erase the line, if one was drawn."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


def hash_file(path: Path, *, label: str = "hashing") -> bytes:
    """Return the SHA-256 of the file at *path*, with a progress line if stderr is a terminal."""
    bar = ProgressLine(f"{label} {path}")
    try:
        return file_digest(path, progress=bar if bar.active else None)
    finally:
        bar.close()
