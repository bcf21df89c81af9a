"""The browser verifier as one self-contained HTML file, and the Content-Security-Policy it runs under.

``build_page`` fills the template ``api/web/verify.html`` with the style
sheets ``api/web/*.css``, every part of the verifier ``api/web/js/*.js`` in
the order of their names, the report's texts (``CZ.TEXTS``, from
``ledger.verify.report_texts``) and the page's configuration (``CZ.PAGE``):
which view opens first and, when a server serves the page, the log it serves
(its origin and verifier key, shown as "as served", never trusted silently).
The result loads nothing from anywhere: saved as one file, it verifies a
bundle with no server and no network. The policy allows exactly the page's
one inline script and one inline style, by their SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from cunzheng.ledger.verify.report_texts import TEXTS

WEB_DIR: Final = Path(__file__).resolve().parent / "web"
View = Literal["verify", "lookup"]
_MARKS: Final = ("{{csp}}", "{{style}}", "{{script}}")


@dataclass(frozen=True)
class ServedLog:
    """The log of the server that serves the page, as that server names it."""

    origin: str
    verifier_key: str


@dataclass(frozen=True)
class Page:
    """An assembled page: its HTML and the policy that admits its inline script and style."""

    html: str
    csp: str


def build_page(*, view: View = "verify", served: ServedLog | None = None) -> Page:
    """Return the page opening on *view*; *served* names the serving log (None: a saved, offline copy)."""
    style = "\n".join(p.read_text("utf-8") for p in sorted(WEB_DIR.glob("*.css")))
    config = {
        "view": view,
        "served": None if served is None else {"origin": served.origin, "key": served.verifier_key},
    }
    script = "\n".join(
        [
            *(_part(p) for p in sorted((WEB_DIR / "js").glob("*.js"))),
            f"CZ.TEXTS = {_json(TEXTS)};",
            f"CZ.PAGE = {_json(config)};",
            "CZ.ui.start();",
        ]
    )
    if "</style" in style.lower():
        raise ValueError("a style sheet of the page holds '</style', which would end it early")
    csp = policy(script, style, connect="'self'" if served else "'none'")
    template = (WEB_DIR / "verify.html").read_text("utf-8")
    for mark in _MARKS:
        if template.count(mark) != 1:
            raise ValueError(f"the page template must hold {mark} exactly once")
    # Replaced in one pass, so that a mark inside the script or style is left as it is.
    html = template.replace("{{csp}}", _attribute(csp))
    head, _, tail = html.partition("{{style}}")
    before, _, after = tail.partition("{{script}}")
    return Page(head + style + before + script + after, csp)


def policy(script: str, style: str, *, connect: str) -> str:
    """Return a policy allowing only this inline *script* and *style*, images as data: URLs, and *connect*."""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src '{_sha256(script)}'",
            f"style-src '{_sha256(style)}'",
            "img-src data:",
            f"connect-src {connect}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def _part(path: Path) -> str:
    source = path.read_text("utf-8")
    if "</script" in source.lower():
        raise ValueError(f"{path.name} holds '</script', which would end the page's script early")
    return f"// ---- {path.name}\n{source}"


def _json(value: object) -> str:
    # "<" escaped, so that no text in the data can close the script element.
    return json.dumps(value, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;")
