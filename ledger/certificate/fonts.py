"""The CJK font a certificate embeds: found on the machine, or named by the operator.

A certificate must read the same on every computer that opens it, so the
fonts are embedded (subset to the characters used). Debian's
``fonts-noto-cjk`` installs Noto Sans CJK as OpenType collections; the
Simplified Chinese face is picked from the collection by its family name.
``CUNZHENG_CJK_FONT`` names another regular face (a .ttf, .otf or .ttc) and
``CUNZHENG_CJK_FONT_BOLD`` its bold face.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cunzheng.ledger.errors import Unavailable

# Where Debian's fonts-noto-cjk puts the Sans faces (and some other systems, by the same name).
_SEARCH = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/local/share/fonts"),
)
_REGULAR, _BOLD = "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"
_SIMPLIFIED = "Noto Sans CJK SC"


@dataclass(frozen=True)
class Face:
    """One font file and, for a collection, the number of the face in it."""

    path: Path
    number: int = 0


@dataclass(frozen=True)
class Fonts:
    """The regular and bold faces a certificate is set in."""

    regular: Face
    bold: Face


def find_fonts() -> Fonts:
    """Return the CJK faces to embed, or raise Unavailable saying how to install one.

    Unavailable: the machine lacks what a certificate needs, which is no fault
    of the request (the API answers 503, the command line exits 1).
    """
    named = os.environ.get("CUNZHENG_CJK_FONT")
    if named:
        regular = _face(Path(named))
        bold_named = os.environ.get("CUNZHENG_CJK_FONT_BOLD")
        return Fonts(regular, _face(Path(bold_named)) if bold_named else regular)
    for folder in _SEARCH:
        if (folder / _REGULAR).is_file():
            regular = _face(folder / _REGULAR)
            bold = _face(folder / _BOLD) if (folder / _BOLD).is_file() else regular
            return Fonts(regular, bold)
    raise Unavailable(
        "no CJK font to embed in the certificate: install Debian's fonts-noto-cjk "
        "(apt-get install fonts-noto-cjk) or set CUNZHENG_CJK_FONT to a .ttf, .otf or .ttc file"
    )


def _face(path: Path) -> Face:
    if not path.is_file():
        raise Unavailable(f"the CJK font {path} does not exist")
    if path.suffix.lower() != ".ttc":
        return Face(path)
    return Face(path, _simplified_number(str(path)))


@lru_cache(maxsize=8)
def _simplified_number(path: str) -> int:
    """Return the number of the Simplified Chinese face in the collection at *path* (else 0)."""
    from fontTools.ttLib import TTCollection

    with TTCollection(path, lazy=True) as collection:
        for number, font in enumerate(collection.fonts):
            if font["name"].getDebugName(1) == _SIMPLIFIED:
                return number
    return 0
