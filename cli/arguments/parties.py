"""The arguments of ``cunzheng register``, ``rotate-key`` and ``revoke-key``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

EPILOG_REGISTER = """examples:
  cunzheng register --server http://127.0.0.1:8000 --key alice.key --kind rights_holder --name "Alice Data Ltd" \\
      --registry-id 91310000MA1FL1234Q
  cunzheng register --server URL --key operator.key --kind court --name "Shanghai IP Court" --party-key court.key
A rights holder or witness may register itself; exchanges and courts are registered by the operator
(its key is operator.key in the service's data directory). Prints the new party's id."""


EPILOG_ROTATE = """example:
  cunzheng rotate-key --server URL --key alice.key --party PARTY_ID --new-key alice-2026.key
The old key (--key, unless --old-key says otherwise) stops signing from the rotation on."""


EPILOG_REVOKE = """example:
  cunzheng revoke-key --server URL --key alice-2026.key --party PARTY_ID --revoke alice.key \\
      --from 2026-11-01T00:00:00Z
Statements by the revoked key logged at or after --from no longer count."""


def add_parsers(sub: Any) -> None:
    """Add the party subcommands to the ``cunzheng`` parser."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "register", help="register a party and its key", epilog=EPILOG_REGISTER, formatter_class=fmt
    )
    _common(p)
    p.add_argument(
        "--kind",
        required=True,
        choices=[
            "rights_holder",
            "exchange",
            "court",
            "witness",
            "operator",
            "financial_institution",
        ],
    )
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--registry-id", default=None, help="统一社会信用代码 or another registry id")
    p.add_argument(
        "--registry-id-type",
        default="uscc",
        choices=["uscc", "resident_id", "foreign_company"],
        help="what --registry-id is (default uscc: its check character is verified)",
    )
    p.add_argument(
        "--party-key",
        default=None,
        help="the key to register (key file, verifier key or base64); default: --key's",
    )
    p.set_defaults(run="cunzheng.cli.parties:register")

    p = sub.add_parser(
        "rotate-key", help="replace a party's key", epilog=EPILOG_ROTATE, formatter_class=fmt
    )
    _common(p)
    p.add_argument("--party", required=True, help="the party's id (hex)")
    p.add_argument(
        "--new-key", required=True, help="the new key (key file, verifier key or base64)"
    )
    p.add_argument("--old-key", default=None, help="the key to retire; default: --key's")
    p.set_defaults(run="cunzheng.cli.parties:rotate")

    p = sub.add_parser(
        "revoke-key",
        help="revoke a party's key from a time on",
        epilog=EPILOG_REVOKE,
        formatter_class=fmt,
    )
    _common(p)
    p.add_argument("--party", required=True, help="the party's id (hex)")
    p.add_argument(
        "--revoke", required=True, help="the key to revoke (key file, verifier key or base64)"
    )
    p.add_argument("--from", dest="from_", default=None, help="RFC 3339 UTC time; default: now")
    p.set_defaults(run="cunzheng.cli.parties:revoke")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument("--key", type=Path, required=True, help="the key file that signs the statement")
    p.add_argument("--out", type=Path, default=None, help="write the receipt here")
