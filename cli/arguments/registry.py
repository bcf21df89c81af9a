"""The arguments of the registry desk: ``cunzheng asset|licence|objection|party ...``, ``cosign``, ``submit``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

_FMT = argparse.RawDescriptionHelpFormatter
_RUN = "cunzheng.cli.registry:"

EPILOG_DESK = """Parties, assets, licences and objections may be named by id, a unique id prefix or
their registered name (an asset also by certificate number); each is resolved against the
log and shown back before anything is signed.

Signed by one key (--key) the statement is submitted at once when nobody else must sign it.
When other parties must sign, --prepare FILE writes the draft, with who must sign it; each
party adds its signature on its own machine (cunzheng cosign FILE --key K) and anyone
submits it (cunzheng submit FILE --server URL).

example:
  cunzheng asset apply --server URL --holder "Alice Data Ltd" --registrar "Shanghai Data Exchange" \\
      --particulars traffic.json --fingerprint-of traffic.csv --prepare apply.draft.json
  cunzheng cosign apply.draft.json --key alice.key
  cunzheng cosign apply.draft.json --key exchange.key
  cunzheng submit apply.draft.json --server URL"""

EPILOG_COSIGN = """example:
  cunzheng cosign transfer.draft.json --key buyer.key
Adds the key's signature (the submitter's, if the draft names this key as its signer) and says
who must still sign. Works offline; with --server the rules are asked again against the log."""

EPILOG_SUBMIT = """example:
  cunzheng submit transfer.draft.json --server URL --out transfer.receipt.json
Refuses, sending nothing, while the rules would refuse the statement for a missing signature."""


def add_parsers(sub: Any) -> None:
    """Add ``asset``, ``licence``, ``objection``, ``party``, ``cosign`` and ``submit``."""
    _assets(sub)
    _licences(sub)
    _objections(sub)
    _parties(sub)
    p = sub.add_parser(
        "cosign",
        help="add one party's signature to a draft",
        epilog=EPILOG_COSIGN,
        formatter_class=_FMT,
    )
    p.add_argument("draft", type=Path, help="the draft file (cunzheng.draft/v1)")
    p.add_argument("--key", type=Path, required=True, help="the key file that signs")
    p.add_argument(
        "--out", type=Path, default=None, help="write the signed draft here (default: in place)"
    )
    p.add_argument("--server", default=None, help="ask the log's rules again who must sign")
    p.add_argument("--json", action="store_true", help="print the signatures as JSON")
    p.set_defaults(run="cunzheng.cli.signing:cosign")
    p = sub.add_parser(
        "submit", help="submit a fully signed draft", epilog=EPILOG_SUBMIT, formatter_class=_FMT
    )
    p.add_argument("draft", type=Path, help="the draft file (cunzheng.draft/v1)")
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument("--out", type=Path, default=None, help="write the receipt here")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.add_argument("--log-key", default=None, help="pin the log's verifier key (file or text)")
    p.set_defaults(run="cunzheng.cli.signing:submit")


def _group(sub: Any, name: str, help: str) -> Any:
    p = sub.add_parser(name, help=help, epilog=EPILOG_DESK, formatter_class=_FMT)
    return p.add_subparsers(dest="action", required=True, metavar="ACTION")


def _command(group: Any, name: str, help: str, function: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = group.add_parser(
        name, help=help, epilog=EPILOG_DESK, formatter_class=_FMT
    )
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument("--key", type=Path, default=None, help="the key file that signs now")
    p.add_argument(
        "--prepare",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the draft (with who must sign it) instead of submitting",
    )
    p.add_argument("--out", type=Path, default=None, help="write the receipt here")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.add_argument("--log-key", default=None, help="pin the log's verifier key (file or text)")
    p.set_defaults(run=_RUN + function)
    return p


def _asset_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("asset", help="the asset: id, id prefix, name or certificate number")


def _particulars(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--particulars",
        type=Path,
        default=None,
        help="JSON (or YAML) object of particulars; confidential ones as commitments under "
        '"confidential"',
    )
    for flag in ("name", "industry", "scenario", "source", "legality", "update-frequency"):
        p.add_argument(f"--{flag}", default=None, help=f"the {flag.replace('-', ' ')} particular")
    p.add_argument("--structure", default=None, help="the data structure particular")
    p.add_argument("--processing-rules", default=None, help="the processing rules particular")
    p.add_argument("--records", type=int, default=None, help="scale: number of records")
    p.add_argument("--bytes", type=int, default=None, help="scale: number of bytes")
    p.add_argument("--sample-sha256", default=None, help="digest of a sample the holder keeps")


def _digest(p: argparse.ArgumentParser, name: str, what: str, *, required: bool = True) -> None:
    group = p.add_mutually_exclusive_group(required=required)
    group.add_argument(f"--{name}", default=None, help=f"{what}: 64 hex digits")
    group.add_argument(
        f"--{name}-of", type=Path, default=None, help=f"{what}: the SHA-256 of this file"
    )


def _assets(sub: Any) -> None:
    group = _group(sub, "asset", "the registry of data assets (申请, 公示, 登记, ...)")
    p = _command(group, "apply", "申请: apply to register an asset", "apply")
    p.add_argument("--holder", default=None, help="the applicant (default: --key's party)")
    p.add_argument("--registrar", required=True, help="the exchange that records the application")
    p.add_argument("--system", default=None, help="registration system (default: the log's first)")
    _particulars(p)
    _digest(p, "fingerprint", "the dataset's fingerprint (digest or Merkle root)")
    p = _command(group, "publicize", "公示: start publicity", "publicize")
    _asset_arg(p)
    p.add_argument(
        "--until", default=None, help="end of publicity (default: the log's period and an hour)"
    )
    p = _command(group, "register", "登记: register after publicity", "register")
    _asset_arg(p)
    p.add_argument("--certificate", required=True, help="the certificate number")
    p.add_argument("--registration-number", default=None, help="the registration number, if any")
    p.add_argument(
        "--expires", default=None, help="end of term (default: the log's longest less a day)"
    )
    p = _command(group, "change", "变更: change particulars", "change")
    _asset_arg(p)
    _particulars(p)
    p = _command(group, "version", "a new version of the data", "version")
    _asset_arg(p)
    _digest(p, "fingerprint", "the new version's fingerprint")
    p = _command(group, "renew", "续展: renew before expiry", "renew")
    _asset_arg(p)
    p.add_argument("--expires", default=None, help="new end of term (default: by the longest term)")
    p = _command(group, "cancel", "注销: cancellation by the holder", "cancel")
    _asset_arg(p)
    p = _command(group, "revoke", "撤销: revocation by the registrar", "revoke")
    _asset_arg(p)
    p.add_argument("--objection", default=None, help="the upheld objection it follows, if any")
    p = _command(group, "transfer", "转让: transfer to a new holder", "transfer")
    _asset_arg(p)
    p.add_argument("--to", required=True, help="the new holder")
    p = _command(group, "pledge", "质押: pledge to a financial institution", "pledge")
    _asset_arg(p)
    p.add_argument("--pledgee", required=True, help="the financial institution")
    _digest(p, "terms-sha256", "the pledge terms (kept off the log)")
    p = _command(group, "release", "解除质押: release of the pledge by the pledgee", "release")
    _asset_arg(p)


def _licences(sub: Any) -> None:
    group = _group(sub, "licence", "licences of assets (许可): grant, accept, terminate")
    p = _command(group, "grant", "许可: grant a licence (by the holder)", "grant")
    _asset_arg(p)
    p.add_argument("--licensee", required=True, help="the licensee")
    p.add_argument("--kind", required=True, choices=["exclusive", "sole", "non_exclusive"])
    p.add_argument(
        "--scope", action="append", required=True, help="a purpose of use (repeat; * for any)"
    )
    p.add_argument(
        "--territory", action="append", default=None, help="a territory (repeat; default *)"
    )
    p.add_argument("--start", default=None, help="RFC 3339 UTC start (default: now)")
    p.add_argument("--end", required=True, help="RFC 3339 UTC end")
    p.add_argument("--sublicensing", action="store_true", help="the licensee may sublicense")
    _digest(p, "fee-terms-sha256", "the fee terms (kept off the log)")
    p = _command(group, "accept", "the licensee accepts a licence", "accept")
    p.add_argument("licence", help="the licence: its id or a unique prefix")
    p = _command(group, "terminate", "the licensor or licensee ends a licence", "terminate")
    p.add_argument("licence", help="the licence: its id or a unique prefix")
    p.add_argument("--by", default=None, help="the licensor or licensee (default: --key's party)")


def _objections(sub: Any) -> None:
    group = _group(sub, "objection", "objections (异议): file, decide")
    p = _command(group, "file", "异议: object to an asset", "file_objection")
    _asset_arg(p)
    p.add_argument("--by", default=None, help="the objector (default: --key's party)")
    p.add_argument("--grounds", required=True, help="the grounds, in words")
    _digest(p, "evidence-sha256", "the evidence")
    p = _command(group, "decide", "the registrar's decision on an objection", "decide")
    p.add_argument("objection", help="the objection: its id or a unique prefix")
    p.add_argument("--outcome", required=True, choices=["upheld", "dismissed"])
    p.add_argument("--effect", default=None, choices=["suspend", "cancel"], help="of an upheld one")


def _parties(sub: Any) -> None:
    group = _group(sub, "party", "parties' identity (实名核验)")
    p = _command(
        group, "attest", "an exchange vouches for a party's name and registry id", "attest"
    )
    p.add_argument("party", help="the party: id, id prefix or name")
    p.add_argument("--by", default=None, help="the exchange or operator (default: --key's party)")
    p.add_argument("--name", required=True, help="the name as verified")
    p.add_argument("--registry-id", required=True, help="the registry id as verified")
    p.add_argument(
        "--registry-id-type",
        default="uscc",
        choices=["uscc", "resident_id", "foreign_company"],
        help="what --registry-id is (default uscc)",
    )
