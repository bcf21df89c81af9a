"""What the integrating process knows of the log's statement hashes, to answer "logged already?" fast.

The sequencer asks, for every batch, which of its statements are logged
already. Two things held in memory answer most of it without a query:

- the tail's map: statement hash -> index for the entries after the last run
  (``ledger.store.key_runs``), so that no batch scans the tail;
- a filter over every statement hash of the log: one bit per position,
  sixteen positions per hash held, set from the first eight bytes of each
  hash. A hash whose bit is clear was never logged; one whose bit is set
  (every logged hash, and about one new hash in sixteen) is looked up in the
  runs. So a batch of new statements probes the runs for a few of them, not
  all of them times every run.

Both are only read under the log's lock, and brought up to the head before
each use: another process sharing a PostgreSQL log may have appended since,
and runs may have been written. Bits are only ever set, so the filter never
hides a logged statement; what a batch adds is taken only once its
transaction has committed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection

from cunzheng.ledger.store import key_runs

# Filter positions per hash held; the filter doubles before it holds fewer.
_POSITIONS = 16
_SMALLEST = 1 << 16


class RecentStatements:
    """Statement hash -> index for the entries [since, seen), and a filter over entries [0, seen)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since = 0
        self._seen = 0
        self._by_hash: dict[bytes, int] = {}
        self._bits = bytearray()
        self._mask = -1  # no filter yet

    def catch_up(self, conn: Connection, *, since: int, size: int) -> None:
        """Hold the hashes of entries [*since*, *size*) and every hash's bit, reading only what is lacking."""
        with self._lock:
            if self._seen > size or since > self._seen or since < self._since:
                # The log is behind what was seen (a restore), runs overtook the map,
                # or runs were dropped (a rebuild): read the tail again from its start.
                self._since, self._seen, self._by_hash = since, since, {}
                self._mask = -1
            elif since > self._since:
                self._by_hash = {h: i for h, i in self._by_hash.items() if i >= since}
                self._since = since
            if self._seen < size:
                rows = conn.exec_driver_sql(
                    "SELECT statement_hash, idx FROM entries "
                    f"WHERE idx >= {int(self._seen)} AND idx < {int(size)}"
                )
                added = [(bytes(h), i) for h, i in rows]
                self._by_hash.update(added)
                self._seen = size
                if self._mask >= 0:
                    self._set(h for h, _ in added)
            if self._mask < 0 or size * _POSITIONS > len(self._bits) * 8:
                self._load_filter(conn, size)

    def matches(self, hashes: Iterable[bytes]) -> dict[bytes, int]:
        """Return the index of each of *hashes* found among the tail's entries."""
        with self._lock:
            get = self._by_hash.get
            return {h: i for h in hashes if (i := get(h)) is not None}

    def maybe_logged(self, hashes: Iterable[bytes]) -> list[bytes]:
        """Return those of *hashes* the filter cannot rule out: each logged one, and a few others."""
        with self._lock:
            bits, mask = self._bits, self._mask
            if mask < 0:
                return list(hashes)
            out = []
            for h in hashes:
                p = int.from_bytes(h[:8], "little") & mask
                if bits[p >> 3] >> (p & 7) & 1:
                    out.append(h)
            return out

    def committed(self, start: int, added: Sequence[tuple[bytes, int]]) -> None:
        """Take the hashes of entries [*start*, start + len(added)) a batch has committed."""
        with self._lock:
            # Only if nothing was read past start meanwhile; otherwise the next catch-up reads them.
            if self._seen == start and start >= self._since:
                self._by_hash.update(added)
                self._seen = start + len(added)
                if self._mask >= 0:
                    self._set(h for h, _ in added)

    def _load_filter(self, conn: Connection, size: int) -> None:
        """Size the filter for twice *size* hashes and set the bit of every hash in the runs and the tail."""
        nbits = _SMALLEST
        while nbits < 2 * _POSITIONS * max(size, 1):
            nbits *= 2
        self._bits, self._mask = bytearray(nbits // 8), nbits - 1
        rows = conn.exec_driver_sql(
            "SELECT key FROM key_runs WHERE run IN "
            f"(SELECT run FROM key_run_list WHERE kind = {key_runs.STATEMENT})"
        )
        self._set(bytes(row[0]) for row in rows)
        self._set(self._by_hash)

    def _set(self, hashes: Iterable[bytes]) -> None:
        bits, mask = self._bits, self._mask
        for h in hashes:
            p = int.from_bytes(h[:8], "little") & mask
            bits[p >> 3] |= 1 << (p & 7)
