"""Backups of an SQLite log, and their restore only once the copy is shown to be the log's.

A backup is a directory holding two files: ``cunzheng.db``, a consistent copy
of the database made by SQLite's online backup API while the service writes
(``Store.backup_to``), and ``latest-checkpoint``, the newest checkpoint the
data directory remembered, copied *before* the database so the database is
never behind it. The keys are not copied: they are secrets, kept apart.

A restore puts a backup in place only after checking, on a scratch copy,
that every entry's leaf hash rebuilds the stored hash tiles and a tree whose
root is that of the backup's newest checkpoint signed by this log's key, that
the registry replays from the log without a rule violation and matches every
checkpoint's index line (``ledger.rebuild.rebuild``), and that the backup is
not behind the checkpoint this data directory remembers signing: that would
fork the log from every receipt it gave since, and is refused unless the
operator accepts it.

A PostgreSQL log is backed up with ``pg_dump`` and restored with
``pg_restore`` (``ledger.backup_pg``), through the same checks:
``check_restorable`` and ``remember``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cunzheng.ledger.checkpoint_file import (
    LATEST_CHECKPOINT_FILE,
    read_latest,
    set_aside,
    write_latest,
)
from cunzheng.ledger.durable import fsync_path
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.merkle import HASH_SIZE, Frontier, leaf_hash
from cunzheng.ledger.note import Checkpoint, Verifier, open_checkpoint, read_note
from cunzheng.ledger.rebuild import rebuild
from cunzheng.ledger.startup import behind
from cunzheng.ledger.store import Store
from cunzheng.ledger.tiles import TILE_HEIGHT, TILE_WIDTH, TileRef, tile_width_at

DATABASE_FILE = "cunzheng.db"
# The dump of a PostgreSQL log in a backup directory (ledger.backup_pg).
PG_DUMP_FILE = "cunzheng.pgdump"
# Leaves read per query while the tree is recomputed: whole level-0 tiles.
_CHUNK = 16 * TILE_WIDTH


class RestoreRefused(LedgerError):
    """The backup is not put in place; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    """What a restore put in place: the backup's newest signed checkpoint, and any rollback accepted."""

    checkpoint: Checkpoint
    rolled_back_from: int | None


def take_backup(store: Store, *, data_dir: Path, out: Path) -> Checkpoint | None:
    """Copy *store*'s database and *data_dir*'s ``latest-checkpoint`` into *out*; return the copy's newest checkpoint."""
    database = out / DATABASE_FILE
    prepare_backup_dir(out, data_dir=data_dir)
    partial = out / f".{DATABASE_FILE}.partial"
    partial.unlink(missing_ok=True)
    store.backup_to(partial)
    fsync_path(partial)
    os.replace(partial, database)
    fsync_path(out)
    copy = Store.open(f"sqlite:///{database.resolve()}")
    try:
        note = copy.latest_checkpoint()
    finally:
        copy.close()
    return None if note is None else Checkpoint.parse(read_note(note, []).text)


def prepare_backup_dir(out: Path, *, data_dir: Path) -> None:
    """Make *out* a backup directory holding *data_dir*'s ``latest-checkpoint``, unless it holds a backup already."""
    for name in (DATABASE_FILE, PG_DUMP_FILE):
        if (out / name).exists():
            raise LedgerError(f"{out / name} exists already; back up into a new or empty directory")
    out.mkdir(parents=True, exist_ok=True)
    remembered = data_dir / LATEST_CHECKPOINT_FILE
    # First: the database, copied after, is then at least as new as the file.
    if remembered.exists():
        shutil.copyfile(remembered, out / LATEST_CHECKPOINT_FILE)


def verify_backup(store: Store, verifier: Verifier) -> tuple[Checkpoint, str]:
    """Return the newest checkpoint (and its note) of the backup in *store*, or raise RestoreRefused.

    The tree is recomputed from the leaves and checked against the stored
    tiles and the signed root; then the registry is replayed into *store*.
    """
    note = store.latest_checkpoint()
    if note is None:
        raise RestoreRefused("the backup holds no signed checkpoint: it is not of a log")
    try:
        checkpoint, _ = open_checkpoint(note, verifier)
    except LedgerError as e:
        raise RestoreRefused(f"the backup's newest checkpoint is not this log's: {e}") from None
    head = store.head()
    if head.size != checkpoint.size:
        raise RestoreRefused(
            f"the backup's head is at size {head.size} but its newest checkpoint at "
            f"{checkpoint.size}: the copy is inconsistent"
        )
    root = check_tree(store, checkpoint.size)
    if root != checkpoint.root:
        raise RestoreRefused(
            f"the backup's {checkpoint.size} entries hash to root {root.hex()}, but its newest "
            f"signed checkpoint has root {checkpoint.root.hex()}: the entries were changed"
        )
    try:
        rebuild(store)
    except LedgerError as e:
        raise RestoreRefused(f"the backup's registry does not replay from its log: {e}") from None
    return checkpoint, note


def check_tree(store: Store, size: int) -> bytes:
    """Return the root of the first *size* leaves in *store*, raising RestoreRefused unless every stored hash tile matches them."""
    frontier = Frontier.empty()
    rows: dict[tuple[int, int], list[bytes]] = {}
    for leaves in _chunks(store, size):
        for leaf in leaves:
            for level, index, h in frontier.append(leaf_hash(leaf)):
                if level % TILE_HEIGHT:
                    continue
                key = (level // TILE_HEIGHT, index >> TILE_HEIGHT)
                row = rows.setdefault(key, [])
                row.append(h)
                if len(row) == TILE_WIDTH:
                    _compare_tile(store, key, rows.pop(key), size)
    for key, row in sorted(rows.items()):
        _compare_tile(store, key, row, size)
    return frontier.root()


def restore(
    backup: Path, *, data_dir: Path, verifier: Verifier, accept_rollback: bool = False
) -> Restored:
    """Verify the backup in directory *backup* and make it *data_dir*'s database; return what was restored.

    A database already in *data_dir* is renamed ``cunzheng.db.replaced-<time>``,
    with its ``-wal`` and ``-shm`` files; the service must be stopped first.
    """
    source = backup / DATABASE_FILE
    if not source.is_file():
        if (backup / PG_DUMP_FILE).is_file():
            raise RestoreRefused(
                f"{backup} holds a PostgreSQL dump ({PG_DUMP_FILE}): restore it into an empty "
                "PostgreSQL database named by CUNZHENG_DATABASE_URL (docs/operations.md)"
            )
        raise RestoreRefused(f"{backup} holds no {DATABASE_FILE}: it is not a cunzheng backup")
    remembered = read_latest(data_dir, verifier)
    scratch = data_dir / f".{DATABASE_FILE}.restoring"
    staged = data_dir / f".{DATABASE_FILE}.restored"
    _remove(scratch, staged)
    shutil.copyfile(source, scratch)
    wal = source.with_name(f"{DATABASE_FILE}-wal")
    if wal.exists():  # committed pages not yet checkpointed into the file: SQLite reads them
        shutil.copyfile(wal, scratch.with_name(f"{scratch.name}-wal"))
    try:
        store = Store.open(f"sqlite:///{scratch.resolve()}")
        try:
            checked = check_restorable(
                store,
                verifier,
                backup=backup,
                remembered=remembered,
                accept_rollback=accept_rollback,
            )
            store.backup_to(staged)
        finally:
            store.close()
        fsync_path(staged)
        _set_database_aside(data_dir / DATABASE_FILE)
        os.replace(staged, data_dir / DATABASE_FILE)
        fsync_path(data_dir)
    finally:
        _remove(scratch, staged)
    return remember(data_dir, checked, remembered)


@dataclass(frozen=True)
class Checked:
    """A backup shown to be the log's: its newest signed checkpoint and note, and whether it is behind."""

    checkpoint: Checkpoint
    note: str
    behind: bool


def check_restorable(
    store: Store,
    verifier: Verifier,
    *,
    backup: Path,
    remembered: Checkpoint | None,
    accept_rollback: bool,
) -> Checked:
    """Check the backup loaded in *store* (``verify_backup``) and that it is not behind; raise RestoreRefused if not.

    Behind the ``latest-checkpoint`` copied with it (in directory *backup*),
    it is inconsistent; behind *remembered*, the data directory's, it would
    roll the log back, which only *accept_rollback* lets through.
    """
    checkpoint, note = verify_backup(store, verifier)
    own = read_latest(backup, verifier)
    if own is not None:
        problem = behind(store, checkpoint.size, checkpoint.root, own, holder="the backup")
        if problem is not None:
            raise RestoreRefused(_behind_message(problem, own, own=True))
    problem = (
        None
        if remembered is None
        else behind(store, checkpoint.size, checkpoint.root, remembered, holder="the backup")
    )
    if remembered is not None and problem is not None and not accept_rollback:
        raise RestoreRefused(_behind_message(problem, remembered, own=False))
    return Checked(checkpoint, note, behind=problem is not None)


def remember(data_dir: Path, checked: Checked, remembered: Checkpoint | None) -> Restored:
    """Make the restored backup's newest checkpoint *data_dir*'s ``latest-checkpoint``; return what was restored.

    A rolled-back checkpoint, *remembered*, is kept as
    ``latest-checkpoint.rolled-back-from-<size>``.
    """
    rolled_back_from = None
    if checked.behind and remembered is not None:
        set_aside(data_dir, tag=f"rolled-back-from-{remembered.size}")
        rolled_back_from = remembered.size
    write_latest(data_dir, checked.note)
    return Restored(checked.checkpoint, rolled_back_from)


def _behind_message(problem: str, held: Checkpoint, *, own: bool) -> str:
    if own:
        return (
            f"the backup is inconsistent: {problem}, but the latest-checkpoint copied with it "
            f"is of size {held.size}; take the backup again"
        )
    return (
        f"the backup is behind the log: {problem}, but this log signed a checkpoint of size "
        f"{held.size}; restoring it would fork the log from every receipt given since. Restore "
        "a newer backup, or, knowing that, pass --accept-rollback (docs/operations.md)"
    )


def _chunks(store: Store, size: int) -> Iterator[list[bytes]]:
    for start in range(0, size, _CHUNK):
        leaves = store.leaves(start, min(size, start + _CHUNK))
        if len(leaves) != min(_CHUNK, size - start):
            raise RestoreRefused(
                f"the backup lacks entries in [{start}, {min(size, start + _CHUNK)}) "
                f"of its tree of size {size}"
            )
        yield leaves


def _compare_tile(store: Store, key: tuple[int, int], row: list[bytes], size: int) -> None:
    level, index = key
    width = tile_width_at(level, index, size)
    stored = store.read_tiles([key]).get(key, b"")[: width * HASH_SIZE]
    if stored == b"".join(row[:width]):
        return
    at = next((i for i in range(width) if stored[i * HASH_SIZE : (i + 1) * HASH_SIZE] != row[i]), 0)
    node = ((index << TILE_HEIGHT) + at) << (TILE_HEIGHT * level)
    raise RestoreRefused(
        f"the backup's hash tile {TileRef(level, index, width).path()} does not match its "
        f"entries from entry {node} on: an entry or a tile was changed"
    )


def _set_database_aside(database: Path) -> None:
    if not database.exists():
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for suffix in ("", "-wal", "-shm"):
        held = database.with_name(database.name + suffix)
        if held.exists():
            os.replace(held, database.with_name(f"{database.name}.replaced-{stamp}{suffix}"))


def _remove(*databases: Path) -> None:
    for database in databases:
        for suffix in ("", "-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
