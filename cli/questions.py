"""``cunzheng ask``: a court's questions to the registry, each answer saved with its evidence bundle."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import httpx
import orjson

from cunzheng.cli.http import get_json
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.verify import bundle_json, parse_bundle

EPILOG = """examples:
  cunzheng ask history ASSET_ID --server URL --out asset.bundle.json
  cunzheng ask holder ASSET_ID --at 2026-03-01T00:00:00Z --server URL --out holder.bundle.json
  cunzheng ask licensed ASSET_ID --party PARTY_ID --purpose analytics --at 2026-03-01T00:00:00Z --server URL
  cunzheng ask portfolio PARTY_ID --server URL
Prints the answer as JSON. With --out, writes the evidence bundle of the entries the answer rests on,
with the question and the answer as its claim: `cunzheng verify BUNDLE --log-key VKEY` recomputes
the answer from those entries offline and reports it confirmed, contradicted or unprovable."""


def add_parsers(sub: Any) -> None:
    """Add ``ask`` and its questions to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "ask",
        help="ask the registry a court's question",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("question", choices=["history", "holder", "licensed", "portfolio"])
    p.add_argument(
        "subject", help="the asset id (history, holder, licensed) or party id (portfolio)"
    )
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument("--at", default=None, help="RFC 3339 UTC time (holder, licensed); default: now")
    p.add_argument("--party", default=None, help="the licensee asked about (licensed)")
    p.add_argument("--purpose", default=None, help="the purpose of use asked about (licensed)")
    p.add_argument("--out", type=Path, default=None, help="write the answer's evidence bundle here")
    p.set_defaults(run=ask)


def ask(args: argparse.Namespace) -> int:
    """Ask the question, print the answer and save its bundle."""
    paths = {
        "history": f"/v1/assets/{args.subject}",
        "holder": f"/v1/assets/{args.subject}/holder",
        "licensed": f"/v1/assets/{args.subject}/licensed",
        "portfolio": f"/v1/parties/{args.subject}/portfolio",
    }
    params = {
        k: v for k, v in {"at": args.at, "party": args.party, "purpose": args.purpose}.items() if v
    }
    if args.question == "licensed" and not (args.party and args.purpose):
        raise LedgerError("licensed needs --party and --purpose")
    with httpx.Client(base_url=args.server.rstrip("/"), timeout=60) as client:
        reply = get_json(client, paths[args.question], **params)
    print(
        orjson.dumps(
            {"question": reply["question"], "answer": reply["answer"]}, option=orjson.OPT_INDENT_2
        ).decode()
    )
    if args.out is not None:
        if reply["bundle"] is None:
            raise LedgerError("no log entry bears on this answer, so there is no bundle to write")
        args.out.write_bytes(bundle_json(parse_bundle(orjson.dumps(reply["bundle"]))))
        print(f"evidence bundle: {args.out}")
    return 0
