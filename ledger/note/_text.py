"""Text checks shared by key names, notes and checkpoints."""

from __future__ import annotations

import re

# Control characters other than none: key names and checkpoint lines hold no newline either.
CONTROL = re.compile(r"[\x00-\x1f]")


def shorten(text: str, limit: int = 80) -> str:
    """Return *text* quoted for an error message, cut after *limit* characters."""
    return repr(text[:limit]) + ("..." if len(text) > limit else "")


def is_utf8(text: str) -> bool:
    """Return whether *text* encodes as UTF-8 (it holds no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
