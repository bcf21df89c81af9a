"""Start-up guards: the service refuses a database that is not its log's, or is behind what it signed.

Run on every start, before the sequencer writes anything:

* the latest checkpoint in the database must be signed by this process's log
  key, or another log's database (or another key) would be continued under a
  second signature;
* if the log has an operator, this process's operator key must be that
  operator's, or its first statement would be refused deep in the start;
* the database must not be behind the newest checkpoint this data directory
  remembers signing (``ledger.checkpoint_file``): not smaller, not another
  root at the same size, and holding that checkpoint if it is larger.

Each refusal is one ``LedgerError`` that says what is wrong and what to do;
docs/operations.md has the longer story.
"""

from __future__ import annotations

import logging
from pathlib import Path

from cunzheng.ledger.checkpoint_file import LATEST_CHECKPOINT_FILE, read_latest, set_aside
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, OPERATOR_KEY_FILE
from cunzheng.ledger.note import Checkpoint, Verifier, describe_keys, read_note
from cunzheng.ledger.store import ReadOnlyStore

logger = logging.getLogger(__name__)


class StartRefused(LedgerError):
    """The service will not start on this database; the message says why and what to do."""


def check_log_key(store: ReadOnlyStore, verifier: Verifier, *, data_dir: Path) -> None:
    """Raise StartRefused unless the latest checkpoint in *store*, if any, is signed by *verifier*."""
    note = store.latest_checkpoint()
    if note is None:
        return
    opened = read_note(note, [verifier])
    if opened.signatures:
        return
    size = Checkpoint.parse(opened.text).size
    raise StartRefused(
        f"the database's latest checkpoint (size {size}) is signed by "
        f"{describe_keys(opened.unverified)}, not by this log's key {verifier.to_string()} "
        f"({data_dir / LOG_KEY_FILE}): the database belongs to another log key. Start with "
        f"that log's {LOG_KEY_FILE} in the data directory, or use another database"
    )


def check_operator_key(store: ReadOnlyStore, operator_key: bytes, *, data_dir: Path) -> None:
    """Raise StartRefused if *store*'s log has an operator and *operator_key* is not one of its keys."""
    record = store.key_record(operator_key)
    party = store.party(record.party) if record is not None else None
    if record is not None and party is not None and party.kind == "operator":
        if record.revoked_from is None:
            return
        held = "a revoked key of the operator"
    elif record is None and not store.has_operator():
        return  # a new log: this key registers itself as its operator
    else:
        held = f"a key of a {party.kind} party" if party is not None else "not registered"
    raise StartRefused(
        f"the operator key in {data_dir / OPERATOR_KEY_FILE} is {held} in this log: start "
        f"with the log operator's current {OPERATOR_KEY_FILE} in the data directory, or use "
        "another database"
    )


def check_not_rolled_back(
    store: ReadOnlyStore, verifier: Verifier, *, data_dir: Path, accept: bool = False
) -> None:
    """Raise StartRefused if *store* is behind the checkpoint *data_dir* remembers; with *accept*, log it loudly instead."""
    remembered = read_latest(data_dir, verifier)
    if remembered is None:
        return
    head = store.head()
    problem = behind(store, head.size, head.root, remembered, holder="the database")
    if problem is None:
        return
    path = data_dir / LATEST_CHECKPOINT_FILE
    if not accept:
        raise StartRefused(
            f"the database is behind the log: {problem}, but this log signed a checkpoint of "
            f"size {remembered.size} (kept in {path}). It was rolled back (restored from an "
            "older copy, or an SQLite file copied without its -wal file). Restore the newest "
            "database; or, knowing that this forks the log from every receipt it gave since, "
            "start once with --accept-rollback (docs/operations.md)"
        )
    aside = set_aside(data_dir, tag=f"rolled-back-from-{remembered.size}")
    logger.critical(
        "STARTING ON A ROLLED-BACK DATABASE (--accept-rollback): %s, but this log signed a "
        "checkpoint of size %d; the log now forks from the checkpoints and receipts it gave "
        "since, and witnesses that saw them will refuse to cosign. The old checkpoint is "
        "kept in %s",
        problem,
        remembered.size,
        aside,
    )


def behind(
    store: ReadOnlyStore, size: int, root: bytes, remembered: Checkpoint, *, holder: str
) -> str | None:
    """Return how *holder*'s tree of *size* and *root* is behind the *remembered* checkpoint, or None if it is not."""
    if size < remembered.size:
        return f"{holder} holds a tree of size {size}"
    if size == remembered.size:
        if root != remembered.root:
            return f"{holder}'s tree of size {size} has root {root.hex()}"
        return None
    note = store.checkpoint_at(remembered.size)
    if note is None:
        return None  # it keeps no checkpoint of that size to compare
    kept = Checkpoint.parse(read_note(note, []).text).root
    if kept != remembered.root:
        return f"{holder}'s checkpoint of size {remembered.size} has root {kept.hex()}"
    return None
