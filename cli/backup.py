"""``cunzheng backup`` and ``restore``: a consistent copy of a running SQLite log, and its verified restore."""

from __future__ import annotations

import argparse
import sys

from cunzheng.cli.service import settings_for
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, read_key

PG_DUMP = """cunzheng backup: the log is in PostgreSQL; back it up with pg_dump, not this command:
  pg_dump --format=custom --file=cunzheng.dump "$CUNZHENG_DATABASE_URL"
  cp <data-dir>/latest-checkpoint latest-checkpoint     # before pg_dump starts
pg_dump copies one consistent snapshot while the service writes. To restore: pg_restore into
an empty database, run `cunzheng rebuild`, then `cunzheng serve`, which refuses a database
behind <data-dir>/latest-checkpoint (docs/operations.md, "Backup and restore")."""


def backup(args: argparse.Namespace) -> int:
    """Copy the database and ``latest-checkpoint`` of a (running) SQLite log into a directory."""
    from cunzheng.ledger.backup import take_backup
    from cunzheng.ledger.store import Store

    settings = settings_for(args.data_dir)
    url = settings.resolved_database_url()
    if not url.startswith("sqlite"):
        print(PG_DUMP, file=sys.stderr)
        return 1
    store = Store.open(url)
    try:
        checkpoint = take_backup(store, data_dir=settings.data_dir, out=args.out)
    finally:
        store.close()
    what = (
        "no checkpoint yet"
        if checkpoint is None
        else (f"tree of size {checkpoint.size}, root {checkpoint.root.hex()}")
    )
    print(f"backed up the log ({what}) to {args.out}")
    print(
        f"cunzheng backup: copied the database and latest-checkpoint only; the keys in "
        f"{settings.data_dir} are secrets and were not copied: keep them apart",
        file=sys.stderr,
    )
    return 0


def restore(args: argparse.Namespace) -> int:
    """Verify a backup against the log key in the data directory and put it in place."""
    from cunzheng.ledger.backup import restore as restore_backup

    settings = settings_for(args.data_dir)
    if settings.database_url is not None and not settings.database_url.startswith("sqlite"):
        raise LedgerError(
            "the log is in PostgreSQL: restore it with pg_restore into an empty database, "
            "then run `cunzheng rebuild` (docs/operations.md)"
        )
    key = settings.data_dir / LOG_KEY_FILE
    if not key.exists():
        raise LedgerError(
            f"there is no log key in {settings.data_dir}: put the log's {LOG_KEY_FILE} there "
            "first (backups do not hold keys)"
        )
    restored = restore_backup(
        args.backup,
        data_dir=settings.data_dir,
        verifier=read_key(key).verifier(),
        accept_rollback=args.accept_rollback,
    )
    checkpoint = restored.checkpoint
    if restored.rolled_back_from is not None:
        print(
            f"cunzheng restore: ROLLED BACK from size {restored.rolled_back_from} "
            "(--accept-rollback); the log now forks from the receipts it gave since",
            file=sys.stderr,
        )
    print(
        f"restored a tree of size {checkpoint.size}, root {checkpoint.root.hex()}, into "
        f"{settings.data_dir}: every tile, the signed root and the registry's replay checked"
    )
    return 0
