"""``cunzheng bundle``: an evidence bundle from a log, with local disclosures added.

The log is asked for one file covering some receipts; disclosures are added
here (they never leave this machine), and the bundle is checked before it is
written (``cli.verifying`` checks one later, offline).
"""

from __future__ import annotations

import argparse

import httpx
import orjson

from cunzheng.cli.http import post_json
from cunzheng.cli.inputs import read_input, read_log_key
from cunzheng.ledger.disclosure import parse_disclosure
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.receipts import parse_receipt
from cunzheng.ledger.verify import (
    bundle_json,
    parse_bundle,
    verify_bundle,
)


def bundle(args: argparse.Namespace) -> int:
    """Fetch a bundle covering the receipts, add the disclosures, check it and write it."""
    receipts = [parse_receipt(read_input(p)).model_dump(mode="json") for p in args.receipts]
    disclosures = [parse_disclosure(read_input(p)) for p in args.disclosure]
    with httpx.Client(base_url=args.server.rstrip("/"), timeout=120) as client:
        answer = post_json(client, "/v1/bundles", {"receipts": receipts})
    fetched = parse_bundle(orjson.dumps(answer))
    if disclosures:
        fetched = fetched.model_copy(update={"disclosures": [*fetched.disclosures, *disclosures]})
    data = bundle_json(parse_bundle(bundle_json(fetched)))
    log_key = read_log_key(args.log_key) if args.log_key else None
    report = verify_bundle(data, log_key=log_key)
    if not report.ok:
        failed = "; ".join(
            f"{c.subject} {c.reason}: {c.detail}".rstrip(": ") for c in report.failed()
        )
        raise LedgerError(f"the bundle does not verify, so it was not written: {failed}")
    args.out.write_bytes(data)
    evidence = [f.index for f in report.findings]
    print(
        f"{args.out}: {len(evidence)} evidence entr{'y' if len(evidence) == 1 else 'ies'} "
        f"({', '.join(map(str, evidence))}), checkpoint of {report.log['size']} entries, "
        f"{len(fetched.earlier_checkpoints)} earlier checkpoint(s), {len(fetched.disclosures)} disclosure(s), "
        f"{len(fetched.timestamps)} time-stamp token(s), {len(fetched.cosignatures)} cosignature(s)"
    )
    return 0
