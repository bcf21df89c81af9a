"""Lookups by hash without random-key inserts: sorted runs of (key, index), merged as the log grows.

A B-tree index on a random 32-byte key (a statement hash, a leaf hash, a
content digest) dirties a page of its own for almost every insert once it
is larger than a batch, and each dirty page is written twice (to the WAL,
then to the database): about 12 KB per statement for three such keys.
So these keys are kept another way:

- the rows that carry them are stored in index order (``entries`` by
  ``idx``, ``digests`` by ``(idx, digest)``), so a batch appends to them;
- every ``BASE`` entries, each kind's keys of that stretch of the log are
  written as one **run**, sorted by key, under a run number larger than any
  before, so that it too is appended at the end of ``key_runs``;
- when a level holds ``FANOUT`` runs, they are merged into one run of the
  next level and deleted.

A key is written once per level it passes through (two at 10^6 entries), a
lookup probes every live run of its kind (at most ``FANOUT - 1`` per level)
and the entries not yet in a run, the **tail**: at most about ``BASE`` rows,
which readers scan and the sequencer keeps in memory
(``ledger.store.recent``). The runs are a function of the rows, so they can
be dropped and built again at any time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

STATEMENT, LEAF, DIGEST = 1, 2, 3
KINDS = (STATEMENT, LEAF, DIGEST)
# Entries per run of level 0 (64 full level-0 tiles), and runs per level before a merge.
BASE = 16_384
FANOUT = 8
# Bytes of each key a run keeps: enough to find candidates, which are then checked whole
# against their rows; half the bytes a run writes.
PREFIX = 16
# Keys per query: SQLite's default bound on host parameters is 32,766; stay well inside it.
_CHUNK = 500

# Where each kind's keys are: (table, key column). Both tables are ordered by idx.
_SOURCES = {
    STATEMENT: ("entries", "statement_hash"),
    LEAF: ("entries", "leaf_hash"),
    DIGEST: ("digests", "digest"),
}


@dataclass(frozen=True)
class Run:
    """A run of one kind of key: the keys of entries [start, stop), sorted, under number *run*."""

    run: int
    kind: int
    level: int
    start: int
    stop: int


def runs_of(conn: Connection, kind: int) -> list[Run]:
    """Return the live runs of *kind*, oldest first."""
    rows = conn.exec_driver_sql(
        "SELECT run, kind, level, start, stop FROM key_run_list WHERE kind = "
        f"{int(kind)} ORDER BY start"
    )
    return [Run(*row) for row in rows]


def boundary(runs: Sequence[Run]) -> int:
    """Return where the tail begins: the first index no run of these holds."""
    return max((r.stop for r in runs), default=0)


def level_of(count: int) -> int:
    """Return the level of a run of *count* entries: the runs of level L hold BASE * FANOUT**L."""
    level, size = 0, BASE * FANOUT
    while count >= size:
        level, size = level + 1, size * FANOUT
    return level


def maintain(conn: Connection, size: int) -> None:
    """Write the runs a log of *size* entries is due, and merge full levels, for every kind.

    Call it under the log's lock, inside the transaction that writes the rows,
    so that every process sees runs and rows change together.
    """
    for kind in KINDS:
        runs = runs_of(conn, kind)
        start = boundary(runs)
        stop = start + (size - start) // BASE * BASE
        if stop > start:
            last = runs[-1].level if runs else None
            runs.append(_build(conn, kind, start, stop, below=last))
        _merge_full_levels(conn, kind, runs)


def clear(conn: Connection, kind: int) -> None:
    """Drop every run of *kind*: its tail is then the whole log, until ``maintain`` runs."""
    for run in runs_of(conn, kind):
        _drop(conn, run)


def lookup(conn: Connection, runs: Sequence[Run], keys: Sequence[bytes]) -> dict[bytes, list[int]]:
    """Return, for each of *keys*, the indexes whose key *runs* hold with the same first PREFIX bytes.

    These are candidates: ``find`` keeps those whose row holds the whole key.
    """
    if not runs:
        return {}
    return _probe(conn, ", ".join(str(int(r.run)) for r in runs), keys)


def _probe(conn: Connection, runs_sql: str, keys: Sequence[bytes]) -> dict[bytes, list[int]]:
    found: dict[bytes, list[int]] = {}
    by_prefix: dict[bytes, list[bytes]] = {}
    for key in keys:
        by_prefix.setdefault(key[:PREFIX], []).append(key)
    prefixes = list(by_prefix)
    mark = _mark(conn)
    for i in range(0, len(prefixes), _CHUNK):
        chunk = prefixes[i : i + _CHUNK]
        sql = (
            f"SELECT key, idx FROM key_runs WHERE run IN ({runs_sql}) "
            f"AND key IN ({', '.join([mark] * len(chunk))})"
        )
        for prefix, idx in conn.exec_driver_sql(sql, tuple(chunk)):
            for key in by_prefix[bytes(prefix)]:
                found.setdefault(key, []).append(idx)
    return found


def tail_lookup(
    conn: Connection, kind: int, start: int, keys: Sequence[bytes]
) -> dict[bytes, list[int]]:
    """Return the indexes from *start* on whose key of *kind* is one of *keys*: a scan of the tail."""
    found: dict[bytes, list[int]] = {}
    table, column = _SOURCES[kind]
    mark = _mark(conn)
    for i in range(0, len(keys), _CHUNK):
        chunk = list(keys[i : i + _CHUNK])
        sql = (
            f"SELECT {column}, idx FROM {table} WHERE idx >= {int(start)} "
            f"AND {column} IN ({', '.join([mark] * len(chunk))})"
        )
        for key, idx in conn.exec_driver_sql(sql, tuple(chunk)):
            found.setdefault(bytes(key), []).append(idx)
    return found


def find(conn: Connection, kind: int, keys: Sequence[bytes]) -> dict[bytes, list[int]]:
    """Return, for each of *keys* the log holds as a key of *kind*, its indexes in log order.

    Readers hold no lock: the runs are named inside the probe's own query, so
    that a merge committed meanwhile (on PostgreSQL, where each statement
    reads its own snapshot) cannot leave the probe asking for runs just
    deleted. The tail is scanned from where the runs ended before the probe:
    a run written since only repeats indexes, which are counted once.
    """
    start = boundary(runs_of(conn, kind))
    live = f"SELECT run FROM key_run_list WHERE kind = {int(kind)}"
    found = _confirmed(conn, kind, _probe(conn, live, keys))
    for key, indexes in tail_lookup(conn, kind, start, keys).items():
        found.setdefault(key, []).extend(indexes)
    return {key: sorted(set(indexes)) for key, indexes in found.items()}


def _confirmed(
    conn: Connection, kind: int, candidates: dict[bytes, list[int]]
) -> dict[bytes, list[int]]:
    """Keep the candidates whose row holds the whole key, not only its prefix."""
    wanted = sorted({i for indexes in candidates.values() for i in indexes})
    if not wanted:
        return {}
    table, column = _SOURCES[kind]
    held: set[tuple[bytes, int]] = set()
    for i in range(0, len(wanted), _CHUNK):
        chunk = ", ".join(str(int(x)) for x in wanted[i : i + _CHUNK])
        rows = conn.exec_driver_sql(f"SELECT {column}, idx FROM {table} WHERE idx IN ({chunk})")
        held.update((bytes(key), idx) for key, idx in rows)
    confirmed: dict[bytes, list[int]] = {}
    for key, indexes in candidates.items():
        kept = [i for i in indexes if (key, i) in held]
        if kept:
            confirmed[key] = kept
    return confirmed


def _build(conn: Connection, kind: int, start: int, stop: int, *, below: int | None) -> Run:
    # Levels never rise along the log, so the runs of one level are always neighbours.
    level = level_of(stop - start) if below is None else min(level_of(stop - start), below)
    run = Run(_next_number(conn), kind, level, start, stop)
    table, column = _SOURCES[kind]
    conn.exec_driver_sql(
        f"INSERT INTO key_runs (run, key, idx) SELECT {run.run}, substr({column}, 1, {PREFIX}), "
        f"idx FROM {table} WHERE idx >= {int(start)} AND idx < {int(stop)} ORDER BY 2, 3"
    )
    _list(conn, run)
    return run


def _merge_full_levels(conn: Connection, kind: int, runs: list[Run]) -> None:
    while True:
        levels: dict[int, list[Run]] = {}
        for run in runs:
            levels.setdefault(run.level, []).append(run)
        full = sorted(level for level, members in levels.items() if len(members) >= FANOUT)
        if not full:
            return
        members = sorted(levels[full[0]], key=lambda r: r.start)
        if any(a.stop != b.start for a, b in zip(members, members[1:], strict=False)):
            raise AssertionError(f"runs of level {full[0]} are not neighbours: {members}")
        merged = Run(
            _next_number(conn),
            kind,
            full[0] + 1,
            min(r.start for r in members),
            max(r.stop for r in members),
        )
        numbers = ", ".join(str(int(r.run)) for r in members)
        conn.exec_driver_sql(
            f"INSERT INTO key_runs (run, key, idx) SELECT {merged.run}, key, idx FROM key_runs "
            f"WHERE run IN ({numbers}) ORDER BY key, idx"
        )
        for run in members:
            _drop(conn, run)
        _list(conn, merged)
        runs[:] = [r for r in runs if r not in members] + [merged]


def _next_number(conn: Connection) -> int:
    # Above every live run, so that a new one is appended at the end of key_runs's B-tree
    # (a dropped run's rows are gone with it, so its number may come again).
    last = conn.exec_driver_sql("SELECT MAX(run) FROM key_run_list").scalar()
    return (last or 0) + 1


def _list(conn: Connection, run: Run) -> None:
    conn.exec_driver_sql(
        "INSERT INTO key_run_list (run, kind, level, start, stop) VALUES "
        f"({run.run}, {run.kind}, {run.level}, {run.start}, {run.stop})"
    )


def _drop(conn: Connection, run: Run) -> None:
    conn.exec_driver_sql(f"DELETE FROM key_runs WHERE run = {int(run.run)}")
    conn.exec_driver_sql(f"DELETE FROM key_run_list WHERE run = {int(run.run)}")


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"
