"""The arguments of ``cunzheng serve``, ``log-key`` and ``rebuild``: running a log."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

EPILOG_SERVE = """example:
  cunzheng serve --data-dir ./cunzheng-data --port 8000
  CUNZHENG_DATABASE_URL=postgresql://postgres@127.0.0.1/test cunzheng serve
On first start the data directory, the SQLite database and the log key are created.
It refuses to start on a database behind the newest checkpoint it signed (docs/operations.md)."""
EPILOG_LOGKEY = """example:
  cunzheng log-key --data-dir ./cunzheng-data > log.vkey     # on the log's own machine
  cunzheng log-key --server https://log.example > log.vkey   # from the log's /log/info
A key read from the server is only what that server says: compare it with the key the
operator publishes elsewhere (its website, a court's or a witness's record) before relying
on it."""
EPILOG_TSA_CERT = """example:
  cunzheng tsa-cert --server https://log.example > tsa-ca.pem
  cunzheng verify evidence.bundle.json --log-key log.vkey --tsa-root tsa-ca.pem
Prints the CA certificate at the top of the chain the log's TSA serves at /tsa/certs
(--chain: the whole chain). As with the log key, check it out of band before trusting it."""


def add_serve(sub: Any) -> None:
    """Add ``serve``, ``log-key`` and ``tsa-cert`` to the ``cunzheng`` parser."""
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "serve", help="run the log service", epilog=EPILOG_SERVE, formatter_class=fmt
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--accept-rollback",
        action="store_true",
        help="start even on a database behind the newest checkpoint this log signed "
        "(forks the log; logged loudly; see docs/operations.md)",
    )
    p.set_defaults(run="cunzheng.cli.service:serve")

    p = sub.add_parser(
        "log-key", help="print the log's verifier key", epilog=EPILOG_LOGKEY, formatter_class=fmt
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    where.add_argument(
        "--server", default=None, metavar="URL", help="ask a running log for its key instead"
    )
    p.set_defaults(run="cunzheng.cli.service:log_key")

    p = sub.add_parser(
        "tsa-cert",
        help="print the CA certificate of a log's time-stamp authority",
        epilog=EPILOG_TSA_CERT,
        formatter_class=fmt,
    )
    p.add_argument("--server", required=True, metavar="URL", help="the log's base URL")
    p.add_argument(
        "--chain", action="store_true", help="print the TSA certificate and its whole chain"
    )
    p.set_defaults(run="cunzheng.cli.service:tsa_cert")


EPILOG_REBUILD = """example:
  cunzheng rebuild --data-dir ./cunzheng-data
Empties the tables of parties, keys, assets, licences, objections and the search indexes, and
replays every entry from 0 through the rules. Safe while the service runs: it holds the log's
lock, so statements wait until it is done."""


def add_rebuild(sub: Any) -> None:
    """Add ``rebuild`` to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "rebuild",
        help="rebuild the registry's state from the log",
        epilog=EPILOG_REBUILD,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    p.set_defaults(run="cunzheng.cli.admin:rebuild")


EPILOG_BACKUP = """example:
  cunzheng backup --data-dir ./cunzheng-data /backups/cunzheng-2026-11-25
Copies the SQLite database with SQLite's online backup API (safe while the service writes)
and latest-checkpoint into a new directory. The keys are NOT copied: they are secrets; keep
log.key and operator.key apart. With CUNZHENG_DATABASE_URL set to PostgreSQL it runs
pg_dump of the log's schema (one consistent snapshot) into cunzheng.pgdump instead."""
EPILOG_RESTORE = """example:
  cunzheng restore /backups/cunzheng-2026-11-25 --data-dir ./cunzheng-data
Stop the service first. The backup is put in place only if every entry rebuilds its stored
tiles and the root of its newest checkpoint signed by the log key in the data directory, the
registry replays from the log, and it is not behind the data directory's latest-checkpoint.
A PostgreSQL backup is loaded only into an empty database (CUNZHENG_DATABASE_URL), and the
load is dropped again if a check fails."""


def add_backup(sub: Any) -> None:
    """Add ``backup`` and ``restore`` to the ``cunzheng`` parser."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "backup",
        help="copy a running log's database and latest checkpoint (not its keys)",
        epilog=EPILOG_BACKUP,
        formatter_class=fmt,
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    p.add_argument("out", type=Path, help="a new or empty directory to write the backup to")
    p.set_defaults(run="cunzheng.cli.backup:backup")

    p = sub.add_parser(
        "restore",
        help="verify a backup and make it the log's database",
        epilog=EPILOG_RESTORE,
        formatter_class=fmt,
    )
    p.add_argument("backup", type=Path, help="a directory written by `cunzheng backup`")
    p.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    p.add_argument(
        "--accept-rollback",
        action="store_true",
        help="restore even a backup behind the newest checkpoint this log signed "
        "(forks the log; see docs/operations.md)",
    )
    p.set_defaults(run="cunzheng.cli.backup:restore")


EPILOG_EXPORT = """example:
  cunzheng export --data-dir ./cunzheng-data --out ./log-export
  python3 -m http.server --directory ./log-export     # or any static host or CDN
Writes the log as C2SP tlog-tiles: checkpoint, tile/<L>/<N>[.p/<W>] and
tile/entries/<N>[.p/<W>], which any tlog-tiles client can audit with the log's key. Run it
again to bring the export up to date: only new tiles are written, the checkpoint last."""


def add_export(sub: Any) -> None:
    """Add ``export`` to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "export",
        help="write the log as static C2SP tiles and entry bundles, for any auditor",
        epilog=EPILOG_EXPORT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="directory to write to (created if missing; an earlier export there is brought up to date)",
    )
    p.set_defaults(run="cunzheng.cli.exporting:export")
