"""The page primitives of a certificate: headings, label–value rows, paragraphs and a QR code, on A4.

Labels are bilingual, Chinese first and English beside ("持有人 Holder"), in
the embedded CJK face; long identifiers (digests, keys) break between any
two characters, so that a 64-digit hash is never cut off at the margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from cunzheng.ledger.certificate.fonts import Fonts

_FAMILY = "cjk"
_LABEL_WIDTH = 52.0  # mm
_LINE = 5.2  # mm
_MARGIN = 16.0  # mm
_GREY = (90, 90, 90)
_INK = (0, 0, 0)


class Sheet:
    """An A4 document being written from top to bottom."""

    def __init__(self, fonts: Fonts, *, title: str, created: datetime, footer: str) -> None:
        pdf = _Document(footer)
        pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
        pdf.set_auto_page_break(auto=True, margin=_MARGIN + 4)
        pdf.add_font(
            _FAMILY, "", str(fonts.regular.path), collection_font_number=fonts.regular.number
        )
        pdf.add_font(_FAMILY, "B", str(fonts.bold.path), collection_font_number=fonts.bold.number)
        pdf.set_title(title)
        pdf.set_creator("cunzheng")
        pdf.set_creation_date(created)
        pdf.add_page()
        self.pdf = pdf

    def title(self, zh: str, en: str) -> None:
        """Write the document's title, centred, Chinese above English."""
        self.pdf.set_font(_FAMILY, "B", 20)
        self.pdf.cell(0, 11, zh, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_font(_FAMILY, "", 12)
        self.pdf.cell(0, 7, en, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(3)

    def banner(self, text: str, *, good: bool) -> None:
        """Write the verdict in a framed band, green when it holds, red when it does not."""
        colour = (0, 110, 50) if good else (170, 20, 20)
        self.pdf.set_draw_color(*colour)
        self.pdf.set_text_color(*colour)
        self.pdf.set_line_width(0.6)
        self.pdf.set_font(_FAMILY, "B", 13)
        self.pdf.multi_cell(
            0, 8, text, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT, padding=2
        )
        self.pdf.set_text_color(*_INK)
        self.pdf.set_draw_color(*_INK)
        self.pdf.set_line_width(0.2)
        self.pdf.ln(2)

    def heading(self, zh: str, en: str) -> None:
        """Start a section: its name in Chinese and English, over a rule."""
        if self.pdf.will_page_break(20):
            self.pdf.add_page()
        self.pdf.ln(2)
        self.pdf.set_font(_FAMILY, "B", 12.5)
        self.pdf.cell(0, 7, f"{zh}  {en}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y = self.pdf.get_y()
        self.pdf.line(_MARGIN, y, self.pdf.w - _MARGIN, y)
        self.pdf.ln(1.5)

    def subheading(self, text: str) -> None:
        """Write the name of one item of a section (an entry, a party, an asset)."""
        if self.pdf.will_page_break(14):
            self.pdf.add_page()
        self.pdf.set_font(_FAMILY, "B", 10.5)
        self.pdf.multi_cell(
            0, 6, text, align="L", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def row(self, label: str, value: str, *, code: bool = False, size: float = 9.0) -> None:
        """Write one label and its value beside it; *code* marks an identifier that may break anywhere."""
        pdf = self.pdf
        wrap = WrapMode.CHAR if code else WrapMode.WORD
        value_width = pdf.w - 2 * _MARGIN - _LABEL_WIDTH
        pdf.set_font(_FAMILY, "", 8.0)
        label_lines = self._lines(_LABEL_WIDTH - 2, label, WrapMode.WORD)
        pdf.set_font(_FAMILY, "", size)
        height = max(label_lines, self._lines(value_width, value, wrap)) * _LINE
        if pdf.will_page_break(height):
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_font(_FAMILY, "", 8.0)
        pdf.set_text_color(*_GREY)
        pdf.set_xy(_MARGIN, y)
        pdf.multi_cell(_LABEL_WIDTH - 2, _LINE, label, align="L")
        pdf.set_text_color(*_INK)
        pdf.set_font(_FAMILY, "", size)
        pdf.set_xy(_MARGIN + _LABEL_WIDTH, y)
        pdf.multi_cell(value_width, _LINE, value, align="L", wrapmode=wrap)
        pdf.set_xy(_MARGIN, y + height)

    def _lines(self, width: float, text: str, wrap: WrapMode) -> int:
        """Return how many lines *text* takes in a column *width* mm wide, in the current font."""
        lines = self.pdf.multi_cell(width, _LINE, text, dry_run=True, output="LINES", wrapmode=wrap)
        return len(cast(list[str], lines))

    def paragraph(self, text: str, *, size: float = 9.0, code: bool = False) -> None:
        """Write a paragraph across the page."""
        self.pdf.set_font(_FAMILY, "", size)
        self.pdf.multi_cell(
            0,
            _LINE - 0.4,
            text,
            align="L",
            wrapmode=WrapMode.CHAR if code else WrapMode.WORD,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.pdf.ln(0.8)

    def qr(
        self, matrix: Sequence[Sequence[bool]], caption: Sequence[str], *, size: float = 42.0
    ) -> None:
        """Draw a QR code *size* mm wide at the left, with the lines of *caption* beside it."""
        pdf = self.pdf
        quiet = 4
        modules = len(matrix) + 2 * quiet
        step = size / modules
        if pdf.will_page_break(size + 4):
            pdf.add_page()
        x0, y0 = pdf.get_x(), pdf.get_y()
        pdf.set_fill_color(0, 0, 0)
        for r, line in enumerate(matrix):
            for c, dark in enumerate(line):
                if dark:
                    pdf.rect(
                        x0 + (c + quiet) * step, y0 + (r + quiet) * step, step, step, style="F"
                    )
        pdf.set_xy(x0 + size + 4, y0 + 4)
        pdf.set_font(_FAMILY, "", 8.5)
        for words in caption:
            pdf.set_x(x0 + size + 4)
            pdf.multi_cell(
                0, _LINE - 0.6, words, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        pdf.set_y(max(pdf.get_y(), y0 + size) + 2)

    def output(self) -> bytes:
        """Return the finished PDF."""
        return bytes(self.pdf.output())


class _Document(FPDF):
    """An FPDF document whose every page ends with the certificate's number and the page's."""

    def __init__(self, footer: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FAMILY, "", 7.5)
        self.set_text_color(*_GREY)
        self.cell(
            0, 5, f"{self._footer_text}   第 {self.page_no()} 页 / page {self.page_no()}", align="C"
        )
        self.set_text_color(*_INK)
