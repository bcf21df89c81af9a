"""``cunzheng backup`` and ``restore``: a consistent copy of a running log, and its verified restore.

SQLite: the online backup API (``ledger.backup``); PostgreSQL: ``pg_dump`` and
``pg_restore`` (``ledger.backup_pg``). Both restores run the same checks.
"""

from __future__ import annotations

import argparse
import sys

from cunzheng.cli.service import settings_for
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, read_key


def backup(args: argparse.Namespace) -> int:
    """Copy ``latest-checkpoint`` and the database of a (running) log into a directory."""
    settings = settings_for(args.data_dir)
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        from cunzheng.ledger.backup import take_backup
        from cunzheng.ledger.store import Store

        store = Store.open(url)
        try:
            checkpoint = take_backup(store, data_dir=settings.data_dir, out=args.out)
        finally:
            store.close()
        what = (
            "no checkpoint yet" if checkpoint is None else _tree(checkpoint.size, checkpoint.root)
        )
        copied = "the database"
    else:
        from cunzheng.ledger import backup_pg

        checkpoint = backup_pg.take_backup(url, data_dir=settings.data_dir, out=args.out)
        what = (
            "no checkpoint yet"
            if checkpoint is None
            else f"at least the {_tree(checkpoint.size, checkpoint.root)}"
        )
        copied = "a pg_dump of the database"
    print(f"backed up the log ({what}) to {args.out}")
    print(
        f"cunzheng backup: copied {copied} and latest-checkpoint only; the keys in "
        f"{settings.data_dir} are secrets and were not copied: keep them apart",
        file=sys.stderr,
    )
    return 0


def restore(args: argparse.Namespace) -> int:
    """Verify a backup against the log key in the data directory and put it in place."""
    settings = settings_for(args.data_dir)
    key = settings.data_dir / LOG_KEY_FILE
    if not key.exists():
        raise LedgerError(
            f"there is no log key in {settings.data_dir}: put the log's {LOG_KEY_FILE} there "
            "first (backups do not hold keys)"
        )
    verifier = read_key(key).verifier()
    url = settings.database_url
    if url is None or url.startswith("sqlite"):
        from cunzheng.ledger.backup import restore as restore_backup

        restored = restore_backup(
            args.backup,
            data_dir=settings.data_dir,
            verifier=verifier,
            accept_rollback=args.accept_rollback,
        )
        into = str(settings.data_dir)
    else:
        from cunzheng.ledger import backup_pg

        restored = backup_pg.restore(
            args.backup,
            url=url,
            data_dir=settings.data_dir,
            verifier=verifier,
            accept_rollback=args.accept_rollback,
        )
        into = f"{backup_pg.Target.of(url).where} (log of {settings.data_dir})"
    checkpoint = restored.checkpoint
    if restored.rolled_back_from is not None:
        print(
            f"cunzheng restore: ROLLED BACK from size {restored.rolled_back_from} "
            "(--accept-rollback); the log now forks from the receipts it gave since",
            file=sys.stderr,
        )
    print(
        f"restored a {_tree(checkpoint.size, checkpoint.root)}, into {into}: every tile, "
        "the signed root and the registry's replay checked"
    )
    return 0


def _tree(size: int, root: bytes) -> str:
    return f"tree of size {size}, root {root.hex()}"
