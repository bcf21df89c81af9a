"""``cunzheng certificate``: the bilingual PDF certificate of an evidence bundle, to print and file.

The bundle is checked exactly as ``cunzheng verify`` checks it, against the
same trust anchors (``--log-key``, ``--tsa-root``, ``--witness``); the
certificate shows the verdict, the platform's declared facts, who did what
and when, every check, and a QR code that opens the verification page for
the bundle's entries. A bundle that fails a check still gets its
certificate, which says so, and the command exits 1.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import quote

from cunzheng.cli.inputs import read_input
from cunzheng.cli.verifying import trust_anchors
from cunzheng.ledger.certificate import issue_certificate
from cunzheng.ledger.clock import utc_now
from cunzheng.ledger.durable import write_atomically
from cunzheng.ledger.verify import parse_bundle
from cunzheng.schemas.bundles import Bundle


def certificate(args: argparse.Namespace) -> int:
    """Verify a bundle and write its certificate to ``--out``."""
    data = read_input(args.bundle)
    bundle = parse_bundle(data)
    issued = issue_certificate(
        data,
        verify_url=verify_url(bundle, args.server),
        issued_at=utc_now(),
        **trust_anchors(args),
    )
    write_atomically(args.out, issued.pdf, mode=0o644)
    failed = issued.report.failed()
    verdict = "VERIFIED" if issued.report.ok else f"NOT VERIFIED ({len(failed)} failed)"
    print(f"cunzheng certificate: wrote {args.out} ({len(issued.pdf):,} bytes): {verdict}")
    if not issued.report.ok:
        codes = ", ".join(sorted({c.reason for c in failed}))
        print(f"cunzheng certificate: NOT VERIFIED: {codes}", file=sys.stderr)
        return 1
    return 0


def verify_url(bundle: Bundle, server: str | None) -> str:
    """Return the address of the page that fetches a fresh bundle of the same facts and verifies it.

    On *server* if given; otherwise on the log's origin, which names the log's
    address without its scheme (C2SP tlog-checkpoint). A court's question is
    asked again (``question=``); evidence is named by its entries (``entries=``).
    """
    base = server.rstrip("/") if server else f"https://{bundle.log.origin}"
    if bundle.claim is not None:
        question = bundle.claim.question.model_dump_json(exclude_none=True)
        return f"{base}/verify?question={quote(question, safe='')}"
    evidence = [e.index for e in bundle.entries if e.role == "evidence"]
    indexes = evidence or [e.index for e in bundle.entries]
    return f"{base}/verify?entries={','.join(map(str, indexes))}"
