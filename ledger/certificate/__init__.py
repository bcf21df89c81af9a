"""The certificate of a verified bundle: a bilingual PDF to print, stamp and file, with a QR code."""

from cunzheng.ledger.certificate.content import certificate_number, certificate_pdf
from cunzheng.ledger.certificate.fonts import Fonts, find_fonts
from cunzheng.ledger.certificate.issue import Issued, issue_certificate

__all__ = [
    "Fonts",
    "Issued",
    "certificate_number",
    "certificate_pdf",
    "find_fonts",
    "issue_certificate",
]
