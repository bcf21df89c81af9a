"""``cunzheng export``: the log as static C2SP tlog-tiles files in a directory, for anyone to audit."""

from __future__ import annotations

import argparse

from cunzheng.cli.service import settings_for
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, read_key

SQLITE_FILE = "cunzheng.db"


def export(args: argparse.Namespace) -> int:
    """Write the log's checkpoint, tiles and entry bundles into ``--out``, or bring an earlier export up to date."""
    from cunzheng.ledger.committed import CommittedTree
    from cunzheng.ledger.mirror import DirectorySink, mirror
    from cunzheng.ledger.reader import LogReader
    from cunzheng.ledger.store import Store

    settings = settings_for(args.data_dir)
    key = settings.data_dir / LOG_KEY_FILE
    if not key.exists():
        raise LedgerError(
            f"there is no log key in {settings.data_dir}: give the data directory of the log "
            "to export (--data-dir)"
        )
    if settings.database_url is None and not (settings.data_dir / SQLITE_FILE).exists():
        raise LedgerError(f"there is no database in {settings.data_dir}: the log holds nothing yet")
    verifier = read_key(key).verifier()
    store = Store.open(settings.resolved_database_url())
    try:
        reader = LogReader(store, verifier, CommittedTree(store.read_tiles))
        result = mirror(reader, DirectorySink(args.out))
    finally:
        store.close()
    if result.written == 0:
        print(
            f"{args.out} already holds the log's checkpoint of size {result.size}: nothing to write"
        )
        return 0
    before = "a new export" if result.held_before is None else f"up from size {result.held_before}"
    print(
        f"exported the log's tree of size {result.size} to {args.out} ({before}): "
        f"{result.written} files written, the checkpoint last"
    )
    return 0
