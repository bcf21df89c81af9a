"""A court's question through the command line: ``cunzheng ask --out`` and then ``cunzheng verify``, offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.clock import format_time
from cunzheng.ledger.keyfiles import OPERATOR_KEY_FILE, read_key, submitter_key
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.verify.narrative_time import dual_time
from tests.api.test_registry_api import asset_story
from tests.cli.test_cli import run
from tests.conftest import JSON, FixedClock, LiveServer, registration, serve_in_thread, stop_server


@pytest.fixture
def registry_server(tmp_path: Path, clock: FixedClock) -> Iterator[LiveServer]:
    """A running log whose publicity period is 0 days, so an asset is registered at once."""
    server = serve_in_thread(Settings(data_dir=tmp_path / "data", publicity_days=0), now=clock)
    yield server
    stop_server(server)


def _post(server: LiveServer) -> Any:
    def post(statement: Statement, status: int) -> dict[str, Any]:
        r = httpx.post(
            f"{server.url}/v1/statements", content=statement.canonical, headers=JSON, timeout=30
        )
        assert r.status_code == status, r.text
        body: dict[str, Any] = r.json()
        return body

    return post


def test_ask_then_verify_offline_states_the_question_and_the_confirmed_answer(
    registry_server: LiveServer, tmp_path: Path, clock: FixedClock
) -> None:
    server = registry_server
    holder = SigningKey.generate()
    post = _post(server)
    post(registration(holder), 201)
    operator = submitter_key(read_key(server.data_dir / OPERATOR_KEY_FILE))
    story = asset_story(post, operator, holder, clock)
    vkey = tmp_path / "log.vkey"
    vkey.write_text(server.vkey)
    before = format_time(story.before_transfer)
    asked = {
        "holder": ["holder", story.asset.hex(), "--at", before],
        "licensed": [
            "licensed",
            story.asset.hex(),
            "--party",
            story.buyer.hex,
            "--purpose",
            "analytics",
        ],
        "portfolio": ["portfolio", story.heir.hex],
    }
    bundles = {}
    for name, args in asked.items():
        out = tmp_path / f"{name}.bundle.json"
        r = run("ask", *args, "--server", server.url, "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert f"evidence bundle: {out}" in r.stdout
        bundles[name] = out
    nobody = tmp_path / "nobody.bundle.json"
    empty = run("ask", "fingerprint", "ab" * 32, "--server", server.url, "--out", str(nobody))
    assert empty.returncode == 0, empty.stderr
    assert json.loads(empty.stdout.split("evidence bundle:")[0])["answer"] == []
    stop_server(server)

    absent = run("verify", str(nobody), "--log-key", str(vkey))
    assert absent.returncode == 0, absent.stdout + absent.stderr
    assert "none: no asset bore this fingerprint." in absent.stdout
    assert "Completeness: PROVED." in absent.stdout

    holder_bundle = str(bundles["holder"])
    en = run("verify", holder_bundle, "--log-key", str(vkey))
    assert en.returncode == 0, en.stdout + en.stderr
    assert (
        f"Question: who held asset {story.asset.hex()} at {dual_time(before, 'en')}?" in en.stdout
    )
    assert en.stdout.startswith("存证核验报告"), "without --lang: Chinese, then English"
    assert (
        f"Answer (CONFIRMED by replaying the bundle's entries): Test holder (party {story.owner.hex})"
        in en.stdout
    )
    zh = run("verify", holder_bundle, "--log-key", str(vkey), "--lang", "zh")
    assert zh.returncode == 0 and "问题：" in zh.stdout and "持有人是谁" in zh.stdout
    assert (
        f"答案（经重演证据包中的条目予以确认）：Test holder（参与方 {story.owner.hex}）"
        in zh.stdout
    )
    licensed = run("verify", str(bundles["licensed"]), "--log-key", str(vkey))
    assert (
        licensed.returncode == 0 and f"yes, under licence(s) {story.grant.hex()}" in licensed.stdout
    )
    portfolio = run("verify", str(bundles["portfolio"]), "--log-key", str(vkey), "--lang", "zh")
    assert portfolio.returncode == 0 and f"持有 1 项资产（{story.asset.hex()}）" in portfolio.stdout

    obj = json.loads(bundles["holder"].read_text())
    obj["claim"]["answer"] = story.heir.hex
    lie = tmp_path / "lie.bundle.json"
    lie.write_text(json.dumps(obj))
    refused = run("verify", str(lie), "--log-key", str(vkey))
    assert refused.returncode == 1 and "claim.contradicted" in refused.stderr
    assert (
        "CONTRADICTED" in refused.stdout
        and f"Heir Ltd (party {story.heir.hex})" not in refused.stdout
    )
