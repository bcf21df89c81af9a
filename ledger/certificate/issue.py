"""Issuing a certificate: verify the bundle, tell its story, set both on paper.

The command line (``cunzheng certificate``) and the API
(``GET /v1/bundles/{index}/certificate.pdf``) both call ``issue_certificate``,
so a certificate always shows what ``cunzheng verify`` finds for the same
bundle and trust anchors; a bundle that does not even parse gets no
certificate (``MalformedInput``), one that fails a check gets one that says
so in red.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cunzheng.ledger.certificate.content import certificate_pdf
from cunzheng.ledger.certificate.fonts import Fonts
from cunzheng.ledger.cosignature import WitnessPolicy
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.verify import Report, parse_bundle, report_json, verify_bundle
from cunzheng.ledger.verify.attestations import TrustRoot
from cunzheng.ledger.verify.narrative import narrative_json


@dataclass(frozen=True)
class Issued:
    """A certificate and the report it shows."""

    pdf: bytes
    report: Report


def issue_certificate(
    data: bytes,
    *,
    log_key: Verifier | None,
    verify_url: str,
    issued_at: datetime,
    files: Mapping[str, bytes] | None = None,
    disclosures: Sequence[tuple[str, bytes]] = (),
    tsa_roots: Sequence[TrustRoot] = (),
    witnesses: WitnessPolicy | None = None,
    fonts: Fonts | None = None,
) -> Issued:
    """Return the certificate of the bundle in *data*, checked as ``verify_bundle`` checks it."""
    bundle = parse_bundle(data)
    report = verify_bundle(
        data,
        log_key=log_key,
        files=files,
        disclosures=disclosures,
        tsa_roots=tsa_roots,
        witnesses=witnesses,
    )
    if any(c.reason == "bundle.malformed" for c in report.checks):
        raise MalformedInput("the bundle is malformed; no certificate can be made of it")
    pdf = certificate_pdf(
        data,
        bundle,
        report_json(report),
        narrative_json(bundle, report),
        verify_url=verify_url,
        issued_at=issued_at,
        fonts=fonts,
    )
    return Issued(pdf, report)
