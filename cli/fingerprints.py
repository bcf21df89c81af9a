"""``cunzheng hash``: fingerprint a file, a directory or a dataset on this machine."""

from __future__ import annotations

import argparse
import secrets
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from cunzheng.cli.progress import ProgressLine
from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.errors import LedgerError

if TYPE_CHECKING:
    from cunzheng.schemas.fingerprints import Kind, RecordFormat

from cunzheng.ledger.fingerprint import (
    SALT_SIZE,
    Fingerprint,
    ManifestWriter,
    detect_format,
    fingerprint_directory,
    fingerprint_file,
    fingerprint_records,
    statement_body,
)


def hash_path(args: argparse.Namespace) -> int:
    """Fingerprint a path, print its root and statement body, and write its manifest if asked."""
    path: Path = args.path
    if not path.exists():
        raise LedgerError(f"{path} does not exist")
    fmt = detect_format(path) if args.format == "auto" else args.format
    if (fmt == "directory") != path.is_dir():
        need = "a directory" if fmt == "directory" else "a file"
        raise LedgerError(f"--format {fmt} needs {need}, and {path} is not one")
    if args.salt and args.manifest is None:
        raise LedgerError(
            "--salt needs --manifest: the salt is kept only in the manifest, and without it "
            "a salted fingerprint can never be opened"
        )
    salt = secrets.token_bytes(SALT_SIZE) if args.salt else None
    kind: Kind = "file" if fmt == "file" else "directory" if fmt == "directory" else "records"
    record_format: RecordFormat | None = fmt if fmt == "csv" or fmt == "jsonl" else None
    with ExitStack() as stack:
        bar = ProgressLine(f"hashing {path}")
        stack.callback(bar.close)
        writer = None
        if args.manifest is not None:
            writer = stack.enter_context(
                ManifestWriter(
                    args.manifest,
                    kind=kind,
                    record_format=record_format,
                    source=str(path.resolve()),
                    salt=salt,
                )
            )
        sink = None if writer is None else writer.item
        progress = bar if bar.active else None
        fp: Fingerprint
        if record_format is not None:
            fp = fingerprint_records(
                path, record_format, salt=salt, progress=progress, on_item=sink
            )
        elif kind == "directory":
            fp = fingerprint_directory(path, salt=salt, progress=progress, on_item=sink)
        else:
            fp = fingerprint_file(path, salt=salt, progress=progress)
        if writer is not None:
            writer.finish(fp)
    print(f"{fp.root.hex()}  {path}")
    print(canonical_json(statement_body(fp)).decode())
    if args.manifest is not None:
        salted = ", salted" if salt is not None else ""
        print(
            f"manifest {args.manifest} ({_items(fp)}{salted}): keep it private; "
            "it never goes to the server",
            file=sys.stderr,
        )
    return 0


def _items(fp: Fingerprint) -> str:
    if fp.kind == "file":
        return "1 file"
    noun = "files" if fp.kind == "directory" else f"{fp.record_format} records"
    return f"{fp.count:,} {noun}"
