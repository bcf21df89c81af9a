"""``cunzheng rebuild``: the registry's tables replayed from the log."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from cunzheng.ledger.rebuild import rebuild as rebuild_tables
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.store import Store

EPILOG = """example:
  cunzheng rebuild --data-dir ./cunzheng-data
Empties the tables of parties, keys, assets, licences, objections and the search indexes, and
replays every entry from 0 through the rules. Safe while the service runs: it holds the log's
lock, so statements wait until it is done."""


def add_parsers(sub: Any) -> None:
    """Add ``rebuild`` to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "rebuild",
        help="rebuild the registry's state from the log",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    p.set_defaults(run=rebuild)


def rebuild(args: argparse.Namespace) -> int:
    """Replay the log into empty registry tables and report how many entries it replayed."""
    if args.data_dir is not None:
        os.environ["CUNZHENG_DATA_DIR"] = str(args.data_dir)
    settings = Settings()
    store = Store.open(settings.resolved_database_url())
    try:
        count = rebuild_tables(store, policy=settings.policy())
    finally:
        store.close()
    print(f"replayed {count} entries into empty registry tables")
    return 0
