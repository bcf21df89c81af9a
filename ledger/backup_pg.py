"""Backups of a PostgreSQL log with ``pg_dump``, and their restore with ``pg_restore``, checked as SQLite's are.

A backup is a directory holding ``latest-checkpoint``, copied first, and
``cunzheng.pgdump``, written by ``pg_dump --format=custom`` of the log's
schema: one consistent snapshot, taken while the service goes on writing.

A restore loads the dump with ``pg_restore`` into the schema the target URL
puts the log in, which must hold no tables: restoring over a live log is for
the operator to decide by hand, emptying it first. The loaded log is then
checked as an SQLite backup is (``ledger.backup.check_restorable``: every
tile, the signed root, the registry's replay, not behind the data
directory's ``latest-checkpoint``); if a check fails, what the load created
is dropped, leaving the schema empty as it was, and the restore is refused.

The programs run with argument lists, never through a shell; the URL is
handed to them as a libpq URI, without the SQLAlchemy driver and with the
password in ``PGPASSWORD`` rather than on the command line. The catalog
queries before and after the load use psycopg directly: the store would
migrate (create the log's tables in) the database it opens.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from cunzheng.ledger.backup import (
    DATABASE_FILE,
    PG_DUMP_FILE,
    Restored,
    RestoreRefused,
    check_restorable,
    prepare_backup_dir,
    remember,
)
from cunzheng.ledger.checkpoint_file import read_latest
from cunzheng.ledger.durable import fsync_path
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.note import Checkpoint, Verifier, read_note
from cunzheng.ledger.store import Store

# Relations, sequences and views (pg_class.relkind) that a load may create and an undo drops.
_RELKINDS = ("r", "p", "v", "m", "S", "f")
# The dump's table of contents (pg_restore --list): the schema of the log's entries table.
_ENTRIES = re.compile(r"^\d+; \d+ \d+ TABLE (?P<schema>\S+) entries \S+$", re.MULTILINE)


@dataclass(frozen=True)
class Target:
    """A PostgreSQL database for libpq's programs: its URI without the password, and the environment with it."""

    uri: str
    env: dict[str, str]
    password: str | None
    where: str  # host and database, for messages

    @classmethod
    def of(cls, url: str) -> Target:
        """Return the target of the SQLAlchemy or libpq *url* (``postgresql+psycopg://...``)."""
        parts = urlsplit(url)
        if parts.scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
            raise LedgerError(f"{parts.scheme}:// is not a PostgreSQL URL")
        netloc, password = parts.netloc, None
        if "@" in netloc:
            creds, _, host = netloc.rpartition("@")
            user, colon, secret = creds.partition(":")
            if colon:
                netloc, password = f"{user}@{host}", unquote(secret)
        env = dict(os.environ)
        if password is not None:
            env["PGPASSWORD"] = password
        where = f"{netloc.rpartition('@')[2]}{parts.path}"
        uri = urlunsplit(("postgresql", netloc, parts.path, parts.query, ""))
        return cls(uri, env, password, where)

    def connect(self) -> psycopg.Connection[TupleRow]:
        """Return an autocommit connection to the target."""
        try:
            return psycopg.connect(self.uri, password=self.password, autocommit=True)
        except psycopg.Error as e:
            raise LedgerError(f"cannot connect to {self.where}: {_first_line(str(e))}") from None


def take_backup(url: str, *, data_dir: Path, out: Path) -> Checkpoint | None:
    """Copy *data_dir*'s ``latest-checkpoint``, then ``pg_dump`` the log at *url*, into *out*.

    Return the log's newest checkpoint when the dump began: the dump holds it, or a newer one.
    """
    target = Target.of(url)
    pg_dump = _program("pg_dump")
    prepare_backup_dir(out, data_dir=data_dir)
    with target.connect() as conn:
        schema = _schema(conn, target)
    store = Store.open(url)
    try:
        note = store.latest_checkpoint()
    finally:
        store.close()
    dump = out / PG_DUMP_FILE
    partial = out / f".{PG_DUMP_FILE}.partial"
    partial.unlink(missing_ok=True)
    argv = [pg_dump, "--format=custom", f"--schema={schema}", f"--file={partial}"]
    try:
        _run([*argv, f"--dbname={target.uri}"], target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    fsync_path(partial)
    os.replace(partial, dump)
    fsync_path(out)
    return None if note is None else Checkpoint.parse(read_note(note, []).text)


def restore(
    backup: Path, *, url: str, data_dir: Path, verifier: Verifier, accept_rollback: bool = False
) -> Restored:
    """Load the dump in directory *backup* into the empty database at *url*, keep it only if it checks out."""
    dump = backup / PG_DUMP_FILE
    if not dump.is_file():
        if (backup / DATABASE_FILE).is_file():
            raise RestoreRefused(
                f"{backup} holds an SQLite backup ({DATABASE_FILE}): restore it with "
                "CUNZHENG_DATABASE_URL unset, into the data directory's SQLite database"
            )
        raise RestoreRefused(f"{backup} holds no {PG_DUMP_FILE}: it is not a cunzheng backup")
    target = Target.of(url)
    pg_restore = _program("pg_restore")
    remembered = read_latest(data_dir, verifier)
    listing = _run([pg_restore, "--list", str(dump)], target)
    found = _ENTRIES.search(listing)
    if found is None:
        raise RestoreRefused(f"{dump} holds no log (no entries table): it is not a cunzheng dump")
    with target.connect() as conn:
        schema = _schema(conn, target)
        if found["schema"] != schema:
            raise RestoreRefused(
                f"{dump} is of a log in schema {found['schema']}, but {target.where} puts the "
                f"log in schema {schema}: restore into a database whose search_path puts it in "
                f"{found['schema']}"
            )
        before = _relations(conn, schema)
        if before:
            held = ", ".join(name for _, name in sorted(before)[:4])
            raise RestoreRefused(
                f"{target.where} is not empty (schema {schema} holds {held}"
                f"{', ...' if len(before) > 4 else ''}): restore only into an empty database; "
                "restoring over a live log is for the operator to decide by hand, emptying it "
                "first (docs/operations.md)"
            )
        argv = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner"]
        argv += ["--no-privileges", f"--schema={schema}", f"--dbname={target.uri}", str(dump)]
        try:
            _run(argv, target)
            store = Store.open(url)
            try:
                checked = check_restorable(
                    store,
                    verifier,
                    backup=backup,
                    remembered=remembered,
                    accept_rollback=accept_rollback,
                )
            finally:
                store.close()
        except BaseException as e:
            try:
                _drop(conn, schema, _relations(conn, schema) - before)
            except psycopg.Error as undo:
                raise LedgerError(
                    f"{e}; and undoing the load failed ({_first_line(str(undo))}): empty "
                    f"schema {schema} of {target.where} by hand"
                ) from None
            raise
    return remember(data_dir, checked, remembered)


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise LedgerError(
            f"{name} is not on PATH: install PostgreSQL's client programs, of the server's "
            "major version or newer"
        )
    return found


def _run(argv: list[str], target: Target) -> str:
    """Run *argv* (no shell) and return its output, raising a one-line LedgerError if it fails."""
    name = Path(argv[0]).name
    try:
        done = subprocess.run(argv, env=target.env, capture_output=True, text=True, check=False)
    except OSError as e:
        raise LedgerError(f"{name} did not run: {e.strerror or e}") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        said = next((line for line in lines if "error" in line), lines[0] if lines else "")
        why = said.removeprefix(f"{name}: ").removeprefix("error: ").strip() or "no message"
        raise LedgerError(f"{name} failed (exit {done.returncode}): {why}")
    return done.stdout


def _schema(conn: psycopg.Connection[TupleRow], target: Target) -> str:
    row = conn.execute("SELECT current_schema()").fetchone()
    if row is None or row[0] is None:
        raise LedgerError(
            f"no schema on the search_path of {target.where} exists: create the log's schema first"
        )
    return str(row[0])


def _relations(conn: psycopg.Connection[TupleRow], schema: str) -> set[tuple[str, str]]:
    rows = conn.execute(
        "SELECT c.relkind::text, c.relname::text FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind::text = ANY(%s)",
        (schema, list(_RELKINDS)),
    ).fetchall()
    return {(str(kind), str(name)) for kind, name in rows}


def _drop(conn: psycopg.Connection[TupleRow], schema: str, created: set[tuple[str, str]]) -> None:
    """Drop the relations *created* in *schema*: tables first (with their indexes and sequences)."""
    statements = (
        ("TABLE", {"r", "p", "f"}),
        ("MATERIALIZED VIEW", {"m"}),
        ("VIEW", {"v"}),
        ("SEQUENCE", {"S"}),
    )
    with conn.transaction():
        for what, kinds in statements:
            names = [sql.Identifier(schema, name) for kind, name in created if kind in kinds]
            if names:
                conn.execute(
                    sql.SQL("DROP {} IF EXISTS {} CASCADE").format(
                        sql.SQL(what), sql.SQL(", ").join(names)
                    )
                )


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)
