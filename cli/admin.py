"""``cunzheng rebuild``: the registry's tables and the verifiable index replayed from the log."""

from __future__ import annotations

import argparse
import sys

from cunzheng.cli.service import settings_for
from cunzheng.ledger.monitor import Misbehaviour
from cunzheng.ledger.rebuild import rebuild as rebuild_tables
from cunzheng.ledger.store import Store

# Exit status when a checkpoint the log signed disagrees with its entries (as cunzheng monitor).
ALARM = 3


def rebuild(args: argparse.Namespace) -> int:
    """Replay the log into empty registry tables and index, and report how many entries it replayed."""
    settings = settings_for(args.data_dir)
    store = Store.open(settings.resolved_database_url())
    try:
        count = rebuild_tables(store)
    except Misbehaviour as e:
        print(f"cunzheng rebuild: ALARM {e}; nothing was written", file=sys.stderr)
        for note in e.evidence:
            print(f"--- evidence: signed checkpoint ---\n{note}", end="", file=sys.stderr)
        return ALARM
    finally:
        store.close()
    print(
        f"replayed {count} entries into empty registry tables and index; "
        "every checkpoint's index line matches"
    )
    return 0
