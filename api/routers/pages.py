"""The browser verifier's pages: GET /verify and GET /lookup, one self-contained HTML page each.

Both serve the page of ``api.pages`` naming this server's log "as served";
``?download=true`` gives the copy to keep, which names no server and verifies
offline. Not part of the JSON API, so not in the OpenAPI document.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from cunzheng.api.deps import get_reader
from cunzheng.api.pages import Page, ServedLog, View, build_page
from cunzheng.ledger.reader import LogReader

router = APIRouter(tags=["pages"], include_in_schema=False)
ReaderDep = Annotated[LogReader, Depends(get_reader)]
Download = Annotated[bool, Query(description="Send the offline copy as a file to save.")]
SAVED_NAME = "cunzheng-verify.html"


@lru_cache(maxsize=8)
def _page(view: View, served: ServedLog | None) -> Page:
    return build_page(view=view, served=served)


def _answer(view: View, reader: LogReader, download: bool) -> HTMLResponse:
    served = None if download else ServedLog(reader.origin, reader.verifier.to_string())
    page = _page(view, served)
    headers = {
        "Content-Security-Policy": page.csp + "; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{SAVED_NAME}"'
    return HTMLResponse(page.html, headers=headers)


@router.get("/verify", response_class=HTMLResponse)
def verify(reader: ReaderDep, download: Download = False) -> HTMLResponse:
    """The verifier: a bundle, or a file and its receipt, checked in the browser."""
    return _answer("verify", reader, download)


@router.get("/lookup", response_class=HTMLResponse)
def lookup(reader: ReaderDep, download: Download = False) -> HTMLResponse:
    """The look-up pages: entries by file, digest, asset, certificate or party, each verified in the browser."""
    return _answer("lookup", reader, download)
