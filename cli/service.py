"""``cunzheng serve``, ``log-key`` and ``tsa-cert``: run the log service, and show its keys."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, log_signer, read_key
from cunzheng.ledger.settings import Settings


def settings_for(data_dir: Path | None) -> Settings:
    """Return the settings from ``CUNZHENG_*`` variables, with *data_dir* (``--data-dir``) first."""
    return Settings() if data_dir is None else Settings(data_dir=data_dir)


def serve(args: argparse.Namespace) -> int:
    """Run the service until interrupted."""
    import uvicorn

    from cunzheng.api.app import create_app
    from cunzheng.api.server import server_config

    settings = settings_for(args.data_dir)
    if args.accept_rollback:
        settings = settings.model_copy(update={"accept_rollback": True})
    signer = log_signer(settings.data_dir, settings.origin)
    print(f"cunzheng: log {signer.name} with key {signer.verifier().to_string()}", file=sys.stderr)
    print(f"cunzheng: database {_redacted(settings.resolved_database_url())}", file=sys.stderr)
    # The app object, not an import string: the settings are handed to it, not put in the
    # environment for a factory to read again. The config adds the connection limits.
    config = server_config(
        create_app(settings), settings, host=args.host, port=args.port, log_level="info"
    )
    server = uvicorn.Server(config)
    try:
        server.run()
    except SystemExit:
        # uvicorn exits 3 on a failed start, which a start-up guard has logged in one line.
        if server.started:
            raise
    return 0 if server.started else 1


def log_key(args: argparse.Namespace) -> int:
    """Print the verifier key of the log in a data directory, or of the log at ``--server``."""
    if args.server is not None:
        print(_server_key(args.server))
        print(
            "cunzheng log-key: this is the key the server states; check it against the key "
            "the operator publishes elsewhere before relying on it",
            file=sys.stderr,
        )
        return 0
    data_dir = settings_for(args.data_dir).data_dir
    path = data_dir / LOG_KEY_FILE
    if not path.exists():
        raise LedgerError(
            f"there is no log key in {data_dir}; run `cunzheng serve --data-dir {data_dir}` once"
        )
    print(read_key(path).verifier().to_string())
    return 0


def tsa_cert(args: argparse.Namespace) -> int:
    """Print the CA certificate (or, with ``--chain``, the whole chain) of the log's TSA."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = _get(args.server, "/tsa/certs").encode()
    try:
        chain = x509.load_pem_x509_certificates(pem)
    except ValueError as e:
        raise LedgerError(f"{args.server}/tsa/certs is not a PEM certificate chain: {e}") from None
    certs = chain if args.chain else chain[-1:]
    sys.stdout.write(b"".join(c.public_bytes(Encoding.PEM) for c in certs).decode())
    print(
        f"cunzheng tsa-cert: {chain[-1].subject.rfc4514_string()}; check it out of band "
        "before trusting it",
        file=sys.stderr,
    )
    return 0


def _server_key(url: str) -> str:
    import orjson

    from cunzheng.ledger.note import Verifier

    try:
        key = orjson.loads(_get(url, "/log/info"))["verifier_key"]
        return Verifier.from_string(key).to_string()
    except (ValueError, KeyError, TypeError) as e:
        raise LedgerError(f"{url}/log/info does not give a log verifier key: {e}") from None


def _get(url: str, path: str) -> str:
    import httpx

    from cunzheng.cli.http import get_text

    with httpx.Client(base_url=url.rstrip("/"), timeout=60) as client:
        return get_text(client, path)


def _redacted(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        return f"{scheme}{sep}{creds.split(':')[0]}:***@{host}" if ":" in creds else url
    return url
