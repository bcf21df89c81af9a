"""The arguments of ``cunzheng ask``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

EPILOG = """examples:
  cunzheng ask history ASSET_ID --server URL --out asset.bundle.json
  cunzheng ask holder ASSET_ID --at 2026-03-01T00:00:00Z --server URL --out holder.bundle.json
  cunzheng ask licensed ASSET_ID --party PARTY_ID --purpose analytics --at 2026-03-01T00:00:00Z --server URL
  cunzheng ask portfolio PARTY_ID --server URL
  cunzheng ask portfolio PARTY_ID --at 2026-03-01T00:00:00Z --server URL --out held.bundle.json
  cunzheng ask fingerprint SHA256_HEX --server URL --out fingerprint.bundle.json
  cunzheng ask certificate CERTIFICATE_NO --server URL --out certificate.bundle.json
Prints the answer as JSON, then the registered name beside each party and asset id in it, as the
party and application entries of the answer's evidence bundle prove it (--json: the JSON alone). With --out, writes the evidence bundle of the entries the answer rests on,
with the question and the answer as its claim: `cunzheng verify BUNDLE --log-key VKEY` recomputes
the answer from those entries offline and reports it confirmed, contradicted or unprovable, and
checks against the log's index proofs that the entries are all those that bear on the answer
(an empty answer included: "no asset bears this fingerprint" is proved, not merely claimed)."""


def add_parsers(sub: Any) -> None:
    """Add ``ask`` and its questions to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "ask",
        help="ask the registry a court's question",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "question",
        choices=["history", "holder", "licensed", "portfolio", "fingerprint", "certificate"],
    )
    p.add_argument(
        "subject",
        help="the asset id (history, holder, licensed), party id (portfolio), fingerprint "
        "(SHA-256 hex) or certificate number",
    )
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument(
        "--at",
        default=None,
        help="RFC 3339 UTC time (holder, licensed: default now; portfolio: default as it stands)",
    )
    p.add_argument("--party", default=None, help="the licensee asked about (licensed)")
    p.add_argument("--purpose", default=None, help="the purpose of use asked about (licensed)")
    p.add_argument(
        "--json",
        action="store_true",
        help="print only the question and answer as JSON, without the names of the ids in it",
    )
    p.add_argument("--out", type=Path, default=None, help="write the answer's evidence bundle here")
    p.set_defaults(run="cunzheng.cli.questions:ask")
