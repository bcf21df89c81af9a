"""``cunzheng ask``: a court's questions to the registry, each answer saved with its evidence bundle."""

from __future__ import annotations

import argparse
import re
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from cunzheng.cli.http import get_json
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.verify import bundle_json, parse_bundle
from cunzheng.ledger.verify.names import Name, proved_names

_ID = re.compile(r"\b[0-9a-f]{64}\b")


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
    shown = {"question": reply["question"], "answer": reply["answer"]}
    print(orjson.dumps(shown, option=orjson.OPT_INDENT_2).decode())
    if not args.json and reply["bundle"] is not None:
        names = proved_names(orjson.dumps(reply["bundle"]))
        print("\n".join(_named(reply["answer"], names)))
    if args.out is not None:
        if reply["bundle"] is None:
            raise LedgerError("no log entry bears on this answer, so there is no bundle to write")
        args.out.write_bytes(bundle_json(parse_bundle(orjson.dumps(reply["bundle"]))))
        print(f"evidence bundle: {args.out}")
    return 0


def _named(answer: Any, names: dict[bytes, Name]) -> list[str]:
    """Return a line for each id in *answer* naming it as a proved entry of the bundle registered it."""
    found = dict.fromkeys(_ID.findall(orjson.dumps(answer).decode()))
    lines = []
    for hex_id in found:
        name = names.get(bytes.fromhex(hex_id))
        if name is not None:
            lines.append(f"  {hex_id}  {name.name} ({name.kind}, registered at entry {name.index})")
    if not lines:
        return []
    return ["names, as the bundle's proved entries register them:", *lines]
