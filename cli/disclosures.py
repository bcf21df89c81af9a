"""``cunzheng disclose``: prove that one record or file belongs to a fingerprinted dataset."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

from cunzheng.cli.inputs import read_input
from cunzheng.ledger.disclosure import (
    disclose_file,
    disclose_record,
    disclosure_json,
    parse_manifest,
    verify_disclosure,
)
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.fingerprint import file_digest, read_record
from cunzheng.schemas.fingerprints import Manifest


def disclose(args: argparse.Namespace) -> int:
    """Write the disclosure of one record or file of a dataset, checked before it is written."""
    manifest = parse_manifest(read_input(args.manifest))
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
