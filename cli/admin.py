"""``cunzheng rebuild``: the registry's tables replayed from the log."""

from __future__ import annotations

import argparse

from cunzheng.cli.service import settings_for
from cunzheng.ledger.rebuild import rebuild as rebuild_tables
from cunzheng.ledger.store import Store


def rebuild(args: argparse.Namespace) -> int:
    """Replay the log into empty registry tables and report how many entries it replayed."""
    settings = settings_for(args.data_dir)
    store = Store.open(settings.resolved_database_url())
    try:
        count = rebuild_tables(store)
    finally:
        store.close()
    print(f"replayed {count} entries into empty registry tables")
    return 0
