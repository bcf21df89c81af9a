"""``cunzheng hash`` and ``cunzheng disclose``: fingerprint data locally, disclose one item of it."""

from __future__ import annotations

import argparse
import secrets
import sys
import time
import unicodedata
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.disclosure import (
    disclose_file,
    disclose_record,
    disclosure_json,
    parse_manifest,
    verify_disclosure,
)
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.fingerprint import (
    SALT_SIZE,
    Fingerprint,
    ManifestWriter,
    detect_format,
    file_digest,
    fingerprint_directory,
    fingerprint_file,
    fingerprint_records,
    read_record,
    statement_body,
)
from cunzheng.schemas.fingerprints import Kind, Manifest, RecordFormat

HASH_HELP = "fingerprint a file, a directory or a CSV / JSON Lines dataset, on this machine"
EPILOG_HASH = """examples:
  cunzheng hash contract.pdf
  cunzheng hash customers.csv --manifest customers.manifest.json
  cunzheng hash photos/ --salt --manifest photos.manifest.json
Prints the root (hex) and the statement body to stamp; nothing leaves this machine.
A dataset's root is an RFC 9162 Merkle root over its files or records (the header
row of a CSV file is record 0). The manifest holds every item's digest and the
salt: keep it private, it never goes to the server; you need it to disclose one
item later. --salt protects short or guessable content from brute force."""
DISCLOSE_HELP = "prove that one record or file belongs to a fingerprinted dataset"
EPILOG_DISCLOSE = """examples:
  cunzheng disclose customers.manifest.json --record 1234 --out record-1234.json
  cunzheng disclose photos.manifest.json --file 2024/cover.jpg --out cover.json
The disclosure holds that item alone (a record's bytes or a file's digest, and
its own salt) with an RFC 9162 inclusion proof; it is checked against the root
in the logged statement. Records are read again from the data (--source, by
default the path the manifest was made from) and must still match."""

# Inputs smaller than this hash in a blink: no progress line.
PROGRESS_MIN_BYTES = 64 << 20


def add_parsers(sub: Any) -> None:
    """Add ``hash`` and ``disclose`` to the ``cunzheng`` parser."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser("hash", help=HASH_HELP, epilog=EPILOG_HASH, formatter_class=fmt)
    p.add_argument("path", type=Path, metavar="PATH")
    p.add_argument(
        "--format",
        choices=["auto", "file", "directory", "csv", "jsonl"],
        default="auto",
        help="how to read PATH (default auto: directories as directories, *.csv as csv, "
        "*.jsonl and *.ndjson as jsonl, anything else as one file)",
    )
    p.add_argument(
        "--manifest",
        type=Path,
        default=None,
        metavar="OUT",
        help="write the manifest to OUT (which must not exist); it stays with you and never "
        "goes to the server",
    )
    p.add_argument(
        "--salt",
        action="store_true",
        help="salt every digest with a random secret kept in the manifest (needs --manifest)",
    )
    p.set_defaults(run=hash_path)

    p = sub.add_parser("disclose", help=DISCLOSE_HELP, epilog=EPILOG_DISCLOSE, formatter_class=fmt)
    p.add_argument(
        "manifest", type=Path, metavar="MANIFEST", help="the manifest from cunzheng hash"
    )
    item = p.add_mutually_exclusive_group(required=True)
    item.add_argument("--record", type=int, metavar="N", help="disclose record N (from 0)")
    item.add_argument("--file", metavar="PATH", help="disclose the file at PATH in the directory")
    p.add_argument(
        "--source",
        type=Path,
        default=None,
        metavar="DATAPATH",
        help="the data file or directory (default: the path the manifest was made from)",
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DISCLOSURE",
        help="file to write the disclosure to",
    )
    p.set_defaults(run=disclose)


class ProgressLine:
    """A progress line on a terminal, redrawn with a carriage return; silent when not a terminal."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO | None = None,
        min_bytes: int = PROGRESS_MIN_BYTES,
        interval: float = 0.25,
    ) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty()
        self._label = label
        self._min_bytes = min_bytes
        self._interval = interval
        self._last = time.monotonic()
        self._width = 0

    @property
    def active(self) -> bool:
        """Return whether the stream is a terminal, so that lines may be drawn."""
        return self._enabled

    def __call__(self, done: int, total: int) -> None:
        """Redraw the line for *done* of *total* bytes, at most every interval."""
        if not self._enabled or total < self._min_bytes:
            return
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        line = (
            f"{self._label}: {done * 100 // total:3d}%  {done / 1e6:,.0f} of {total / 1e6:,.0f} MB"
        )
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = len(line)

    def close(self) -> None:
        """Erase the line, if one was drawn."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


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


def disclose(args: argparse.Namespace) -> int:
    """Write the disclosure of one record or file of a dataset, checked before it is written."""
    manifest = parse_manifest(_read(args.manifest))
    source = args.source or (Path(manifest.source) if manifest.source else None)
    if manifest.kind == "file":
        raise LedgerError(
            f"{args.manifest} fingerprints a single file: there is no item in it to disclose"
        )
    if args.record is not None:
        if manifest.kind != "records" or manifest.record_format is None:
            raise LedgerError(f"{args.manifest} is of kind {manifest.kind}; use --file")
        if not 0 <= args.record < manifest.count:
            raise LedgerError(
                f"there is no record {args.record}: the dataset holds 0 to {manifest.count - 1}"
            )
        if source is None or not source.is_file():
            raise LedgerError(
                f"the data file {source} is not there; the manifest holds only digests, "
                "so give the dataset with --source"
            )
        record = read_record(source, manifest.record_format, args.record)
        disclosure = disclose_record(manifest, args.record, record)
    else:
        if manifest.kind != "directory" or manifest.files is None:
            raise LedgerError(f"{args.manifest} is of kind {manifest.kind}; use --record")
        rel = _relative(args.file, source, manifest)
        digest = _current_digest(rel, source)
        disclosure = disclose_file(manifest, rel, digest=digest)
    data = disclosure_json(disclosure)
    item = verify_disclosure(data, root=manifest.root, count=manifest.count)
    args.out.write_bytes(data)
    print(f"{item.describe()}, root {manifest.root.hex()}: disclosure written to {args.out}")
    return 0


def _items(fp: Fingerprint) -> str:
    if fp.kind == "file":
        return "1 file"
    noun = "files" if fp.kind == "directory" else f"{fp.record_format} records"
    return f"{fp.count:,} {noun}"


def _relative(name: str, source: Path | None, manifest: Manifest) -> str:
    """Return the manifest path that *name* (a manifest path or a file under *source*) names."""
    assert manifest.files is not None
    paths = {f.path for f in manifest.files}
    rel = unicodedata.normalize("NFC", name.removeprefix("./"))
    if rel not in paths and source is not None:
        try:
            inside = Path(name).resolve().relative_to(source.resolve())
            rel = unicodedata.normalize("NFC", inside.as_posix())
        except ValueError:
            pass
    if rel not in paths:
        raise LedgerError(
            f"the manifest lists no file {name!r}; give its path in the dataset, with /"
        )
    return rel


def _current_digest(rel: str, source: Path | None) -> bytes | None:
    """Return the file's SHA-256 as it is now, or None if the data is not at hand."""
    location = None if source is None else source / rel
    if location is None or not location.is_file():
        print(
            f"note: {rel} not found under {source}; not checked against the data", file=sys.stderr
        )
        return None
    return file_digest(location)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LedgerError(f"{path} does not exist") from None
