"""The browser verifier's page as assembled and served: one file, nothing external, a strict policy."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest
from fastapi.testclient import TestClient

from cunzheng.api import pages
from cunzheng.api.app import create_app
from cunzheng.api.pages import WEB_DIR, ServedLog, build_page
from cunzheng.ledger.verify.report_texts import TEXTS
from tests.conftest import server_settings

SERVED = ServedLog("example.org/log", "example.org/log+01020304+AQID")


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """A client of the app serving a fresh log."""
    with TestClient(create_app(server_settings(tmp_path / "data", database_url))) as c:
        yield c


def _inline(html: str, tag: str) -> str:
    found = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)
    assert len(found) == 1, f"the page has {len(found)} inline <{tag}> elements"
    return found[0]


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _data(script: str, name: str) -> object:
    line = next(x for x in script.splitlines() if x.startswith(f"CZ.{name} = "))
    return json.loads(line.removeprefix(f"CZ.{name} = ").removesuffix(";"))


def test_every_part_is_inlined_in_name_order() -> None:
    script = _inline(build_page().html, "script")
    names = [p.name for p in sorted((WEB_DIR / "js").glob("*.js"))]
    assert re.findall(r"^// ---- (\S+)$", script, flags=re.M) == names
    assert script.rstrip().endswith("CZ.ui.start();")


def test_the_texts_and_configuration_are_the_report_s_and_the_server_s() -> None:
    script = _inline(build_page(view="lookup", served=SERVED).html, "script")
    assert _data(script, "TEXTS") == TEXTS
    assert _data(script, "PAGE") == {
        "view": "lookup",
        "served": {"origin": SERVED.origin, "key": SERVED.verifier_key},
    }
    assert _data(_inline(build_page().html, "script"), "PAGE") == {"view": "verify", "served": None}


def test_the_page_loads_nothing_from_anywhere() -> None:
    html = build_page(served=SERVED).html
    assert not re.search(r"<(link|iframe|img|object|embed)\b", html, flags=re.I)
    assert not re.search(r"<script[^>]*\bsrc=", html, flags=re.I)
    assert "@import" not in html and "url(" not in _inline(html, "style")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html, flags=re.I)


def test_the_policy_admits_exactly_the_inline_script_and_style() -> None:
    page = build_page(served=SERVED)
    script, style = _inline(page.html, "script"), _inline(page.html, "style")
    assert f"script-src '{_hash(script)}'" in page.csp
    assert f"style-src '{_hash(style)}'" in page.csp
    assert "default-src 'none'" in page.csp and "unsafe-inline" not in page.csp
    assert "connect-src 'self'" in page.csp
    assert "connect-src 'none'" in build_page().csp
    # The saved file carries the same policy in a meta element.
    assert f'content="{page.csp}"' in page.html.replace("&quot;", '"')


def test_the_wheel_carries_every_file_the_page_is_built_from() -> None:
    """pyproject.toml's package data names each file of api/web, so an installed server builds the same page."""
    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["cunzheng.api"]
    files = [p.relative_to(WEB_DIR.parent) for p in WEB_DIR.rglob("*") if p.is_file()]
    assert files
    # As setuptools reads a pattern: "*" stays within one folder.
    assert [f for f in files if not any(PurePosixPath(f).match(pat) for pat in patterns)] == []


def test_text_that_would_close_the_script_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = tmp_path / "web"
    shutil.copytree(WEB_DIR, web)
    (web / "js" / "98-bad.js").write_text('const s = "</script>";\n')
    monkeypatch.setattr(pages, "WEB_DIR", web)
    with pytest.raises(ValueError, match="98-bad.js"):
        build_page()


def test_data_cannot_close_the_script() -> None:
    served = ServedLog("</script><b>x", "k")
    script = _inline(build_page(served=served).html, "script")
    assert "</script>" not in script
    assert _data(script, "PAGE") == {
        "view": "verify",
        "served": {"origin": served.origin, "key": "k"},
    }


def test_get_verify_serves_the_page_naming_this_log(client: TestClient) -> None:
    info = client.get("/log/info").json()
    r = client.get("/verify")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert csp.endswith("; frame-ancestors 'none'")
    assert f"'{_hash(_inline(r.text, 'script'))}'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    page = _data(_inline(r.text, "script"), "PAGE")
    assert page == {
        "view": "verify",
        "served": {"origin": info["origin"], "key": info["verifier_key"]},
    }


def test_get_lookup_opens_on_the_look_up_view(client: TestClient) -> None:
    r = client.get("/lookup")
    assert r.status_code == 200
    assert _data(_inline(r.text, "script"), "PAGE")["view"] == "lookup"  # type: ignore[index]


def test_the_offline_copy_is_a_download_naming_no_server(client: TestClient) -> None:
    r = client.get("/verify", params={"download": "true"})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="cunzheng-verify.html"'
    assert _data(_inline(r.text, "script"), "PAGE") == {"view": "verify", "served": None}
    assert "connect-src 'none'" in r.headers["content-security-policy"]


def test_a_bad_query_is_a_400(client: TestClient) -> None:
    r = client.get("/verify", params={"download": "perhaps"})
    assert r.status_code == 400
    assert r.json()["error"] == "malformed_input"
