"""``cunzheng asset|licence|objection|party ...``: the exchange's desk, one command per registry statement.

Each command resolves the parties and assets it names against the log,
drafts the statement with the client's desk (``ledger.client``) and hands
it to ``cli.signing``, which signs, writes or submits it.
"""

from __future__ import annotations

import argparse
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from cunzheng.cli.signing import client, finish
from cunzheng.ledger.bodies import PARTICULARS
from cunzheng.ledger.canonical import loads
from cunzheng.ledger.client import Desk, Draft
from cunzheng.ledger.client.desk import commitments
from cunzheng.ledger.clock import parse_time
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.keyfiles import read_key


def _run(args: argparse.Namespace, make: Any) -> int:
    with client(args) as log:
        desk = log.desk()
        return finish(args, log, make(desk, _me(args, desk)))


def _me(args: argparse.Namespace, desk: Desk) -> bytes | None:
    """Return the party whose key ``--key`` is, if it has one."""
    if args.key is None:
        return None
    record = desk.registry.key(read_key(args.key).public_key)
    return None if record is None else record.party


def _who(given: str | None, me: bytes | None, flag: str) -> str | bytes:
    if given is not None:
        return given
    if me is None:
        raise MalformedInput(f"give {flag}, or --key of a registered party")
    return me


def _time(text: str | None, flag: str) -> datetime | None:
    return None if text is None else parse_time(text, what=flag)


def _digest(args: argparse.Namespace, name: str) -> str:
    text, path = getattr(args, name), getattr(args, f"{name}_of")
    if path is not None:
        return _sha256_file(path)
    value = str(text).strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise MalformedInput(f"--{name.replace('_', '-')} must be 64 hex digits")
    return value


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _particulars(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the public particulars and the confidential commitments from --particulars and flags."""
    doc: dict[str, Any] = {} if args.particulars is None else _read_doc(args.particulars)
    confidential = doc.pop("confidential", {}) or {}
    if not isinstance(confidential, dict):
        raise MalformedInput("particulars: confidential must be an object of commitments")
    flags = {p: getattr(args, p, None) for p in PARTICULARS if p != "scale"}
    doc.update({k: v for k, v in flags.items() if v is not None})
    if args.sample_sha256 is not None:
        doc["sample_sha256"] = args.sample_sha256
    scale = {k: v for k, v in (("records", args.records), ("bytes", args.bytes)) if v is not None}
    if scale:
        doc["scale"] = {**doc.get("scale", {}), **scale}
    # A particular given as its text and salt is committed by the desk, which checks the salt.
    return doc, commitments(confidential)


def _read_doc(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise MalformedInput(f"{path}: YAML needs PyYAML, which is not installed") from None
        try:
            doc = yaml.safe_load(data)
        except yaml.YAMLError as e:
            raise MalformedInput(f"{path}: {e}") from None
    else:
        doc = loads(data, what=str(path))
    if not isinstance(doc, dict):
        raise MalformedInput(f"{path} must hold an object of particulars")
    return dict(doc)


# 申请, 公示, 登记 and what follows.


def apply(args: argparse.Namespace) -> int:
    """申请: draft an application by the holder, recorded by the registrar."""

    def make(desk: Desk, me: bytes | None) -> Draft:
        particulars, confidential = _particulars(args)
        return desk.apply(
            holder=_who(args.holder, me, "--holder"),
            registrar=args.registrar,
            particulars=particulars,
            confidential=confidential,
            fingerprint=_digest(args, "fingerprint"),
            system=args.system,
        )

    return _run(args, make)


def publicize(args: argparse.Namespace) -> int:
    """公示: start publicity."""
    until = _time(args.until, "--until")
    return _run(args, lambda desk, _: desk.publicize(args.asset, until=until))


def register(args: argparse.Namespace) -> int:
    """登记: register after publicity."""
    expires = _time(args.expires, "--expires")
    return _run(
        args,
        lambda desk, _: desk.register(
            args.asset,
            certificate=args.certificate,
            expires=expires,
            registration_number=args.registration_number,
        ),
    )


def change(args: argparse.Namespace) -> int:
    """变更: change particulars."""

    def make(desk: Desk, _: bytes | None) -> Draft:
        particulars, confidential = _particulars(args)
        return desk.change(args.asset, particulars=particulars, confidential=confidential)

    return _run(args, make)


def version(args: argparse.Namespace) -> int:
    """A new version of the data."""
    fingerprint = _digest(args, "fingerprint")
    return _run(args, lambda desk, _: desk.version(args.asset, fingerprint=fingerprint))


def renew(args: argparse.Namespace) -> int:
    """续展: renew before expiry."""
    expires = _time(args.expires, "--expires")
    return _run(args, lambda desk, _: desk.renew(args.asset, expires=expires))


def cancel(args: argparse.Namespace) -> int:
    """注销: cancellation by the holder."""
    return _run(args, lambda desk, _: desk.cancel(args.asset))


def revoke(args: argparse.Namespace) -> int:
    """撤销: revocation by the registrar."""
    return _run(args, lambda desk, _: desk.revoke(args.asset, objection=args.objection))


def transfer(args: argparse.Namespace) -> int:
    """转让: transfer to a new holder."""
    return _run(args, lambda desk, _: desk.transfer(args.asset, to=args.to))


def pledge(args: argparse.Namespace) -> int:
    """质押: pledge to a financial institution."""
    terms = _digest(args, "terms_sha256")
    return _run(
        args, lambda desk, _: desk.pledge(args.asset, pledgee=args.pledgee, terms_sha256=terms)
    )


def release(args: argparse.Namespace) -> int:
    """解除质押: release of the pledge by the pledgee."""
    return _run(args, lambda desk, _: desk.release(args.asset))


# 许可, 异议 and 实名核验.


def grant(args: argparse.Namespace) -> int:
    """许可: grant a licence."""
    fee = _digest(args, "fee_terms_sha256")
    start, end = _time(args.start, "--start"), _time(args.end, "--end")
    assert end is not None  # required by the parser
    return _run(
        args,
        lambda desk, _: desk.grant(
            args.asset,
            licensee=args.licensee,
            kind=args.kind,
            scope=args.scope,
            territory=args.territory or ["*"],
            start=start,
            end=end,
            sublicensing=args.sublicensing,
            fee_terms_sha256=fee,
        ),
    )


def accept(args: argparse.Namespace) -> int:
    """The licensee accepts a licence."""
    return _run(args, lambda desk, _: desk.accept(args.licence))


def terminate(args: argparse.Namespace) -> int:
    """The licensor or licensee ends a licence."""
    return _run(args, lambda desk, me: desk.terminate(args.licence, by=_who(args.by, me, "--by")))


def file_objection(args: argparse.Namespace) -> int:
    """异议: object to an asset."""
    evidence = _digest(args, "evidence_sha256")
    return _run(
        args,
        lambda desk, me: desk.file_objection(
            args.asset, by=_who(args.by, me, "--by"), evidence_sha256=evidence, grounds=args.grounds
        ),
    )


def decide(args: argparse.Namespace) -> int:
    """The registrar's decision on an objection."""
    return _run(
        args,
        lambda desk, _: desk.decide(args.objection, outcome=args.outcome, effect=args.effect),
    )


def attest(args: argparse.Namespace) -> int:
    """实名核验: an exchange vouches for a party's name and registry id."""
    return _run(
        args,
        lambda desk, me: desk.attest(
            args.party,
            by=_who(args.by, me, "--by"),
            name=args.name,
            registry_id=args.registry_id,
            registry_id_type=args.registry_id_type,
        ),
    )


__all__ = [
    "accept",
    "apply",
    "attest",
    "cancel",
    "change",
    "decide",
    "file_objection",
    "grant",
    "pledge",
    "publicize",
    "register",
    "release",
    "renew",
    "revoke",
    "terminate",
    "transfer",
    "version",
]
