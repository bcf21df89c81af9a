"""``cunzheng ask``: a court's questions to the registry, each answer saved with its evidence bundle."""

from __future__ import annotations

import argparse
from urllib.parse import quote

import httpx
import orjson

from cunzheng.cli.http import get_json
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.verify import bundle_json, parse_bundle


def ask(args: argparse.Namespace) -> int:
    """Ask the question, print the answer and save its bundle."""
    paths = {
        "history": f"/v1/assets/{args.subject}",
        "holder": f"/v1/assets/{args.subject}/holder",
        "licensed": f"/v1/assets/{args.subject}/licensed",
        "portfolio": f"/v1/parties/{args.subject}/portfolio",
        "fingerprint": f"/v1/fingerprints/{args.subject}/assets",
        "certificate": f"/v1/certificates/{quote(args.subject, safe='')}",
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
