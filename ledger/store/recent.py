"""The statement hashes of the log's tail, held in memory by the process that integrates.

The sequencer asks, for every batch, which of its statements are logged
already. The runs (``ledger.store.key_runs``) answer for the entries they
hold; this map answers for the tail after them, so that no batch scans the
tail. It is only ever read under the log's lock, and it is brought up to the
head from ``entries`` before each use: another process sharing a PostgreSQL
log may have appended since, and runs may have been written. What a batch
adds is kept only once its transaction has committed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection


class RecentStatements:
    """Statement hash -> index for the entries [since, seen) of the log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since = 0
        self._seen = 0
        self._by_hash: dict[bytes, int] = {}

    def catch_up(self, conn: Connection, *, since: int, size: int) -> None:
        """Hold the hashes of entries [*since*, *size*), reading only what this map lacks."""
        with self._lock:
            if self._seen > size or since > self._seen:
                # The log is behind what was seen (a restore), or runs overtook the map.
                self._since, self._seen, self._by_hash = since, since, {}
            elif since > self._since:
                self._by_hash = {h: i for h, i in self._by_hash.items() if i >= since}
                self._since = since
            elif since < self._since:
                # Runs were dropped (a rebuild): read the tail again from its new start.
                self._since, self._seen, self._by_hash = since, since, {}
            if self._seen < size:
                rows = conn.exec_driver_sql(
                    "SELECT statement_hash, idx FROM entries "
                    f"WHERE idx >= {int(self._seen)} AND idx < {int(size)}"
                )
                self._by_hash.update((bytes(h), i) for h, i in rows)
                self._seen = size

    def matches(self, hashes: Iterable[bytes]) -> dict[bytes, int]:
        """Return the index of each of *hashes* found among the tail's entries."""
        with self._lock:
            get = self._by_hash.get
            return {h: i for h in hashes if (i := get(h)) is not None}

    def committed(self, start: int, added: Sequence[tuple[bytes, int]]) -> None:
        """Take the hashes of entries [*start*, start + len(added)) a batch has committed."""
        with self._lock:
            # Only if nothing was read past start meanwhile; otherwise the next catch-up reads them.
            if self._seen == start and start >= self._since:
                self._by_hash.update(added)
                self._seen = start + len(added)
