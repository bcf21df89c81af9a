"""The certificate a court files: every fact a judge needs, readable by pdftotext, with a QR code.

An asset is registered, licensed and pledged on a log whose operator has
declared the platform's facts; the court's history question is answered in
a bundle; ``cunzheng certificate`` checks it like ``cunzheng verify`` and
writes the PDF, which pdftotext reads back: the holder's name, the asset's
certificate number, each event in Beijing time, the declared facts, the QR
code's address and the verdict. Page 1 is rendered to PNG and kept under
tests/artefacts/ for review. The API serves the same certificate for an
evidence entry.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.api.app import create_app
from cunzheng.ledger.answers import answer_json
from cunzheng.ledger.bundles import build_answer_bundle
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.questions import history
from cunzheng.ledger.registry.policy import DEFAULT_POLICY
from cunzheng.ledger.store import Store
from cunzheng.ledger.verify import bundle_json
from cunzheng.ledger.verify.narrative_time import dual_time
from cunzheng.schemas.questions import Question
from tests.conftest import JSON, evidence, registration, run_cli, server_settings
from tests.ledger.registry_world import (
    Clock,
    World,
    application,
    certificate,
    digest,
    event,
    sign,
    when,
)
from tests.ledger.test_platform import FACTS

ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts"
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="pdftotext and pdftoppm come from Debian's poppler-utils, which .ci/run installs",
)


@dataclass
class Filed:
    bundle: Path
    log_key: str
    number: str
    times: list[str]


def _history_bundle(home: Path) -> Filed:
    store = Store.open(f"sqlite:///{home / 'registry.db'}")
    clock = Clock()
    log = Log(
        store, Signer.generate("log.example/cunzheng"), batch_size=32, batch_wait=0.001, now=clock
    )
    w = World(log.start(), clock)
    try:
        w.ok(sign(w.operator, "log.settings", {**DEFAULT_POLICY.body(), "platform": FACTS}))
        apply = w.ok(application(w.holder, w.exchange, "上海交通流量数据 2025"))
        until = when(clock.now + timedelta(days=15))
        pub = w.ok(event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=until))
        clock.advance(days=15)
        number = certificate(clock.now)
        expires = when(clock.now + timedelta(days=3 * 365))
        w.ok(
            event(
                w.exchange,
                "asset.register",
                apply.hash,
                pub.hash,
                certificate=number,
                expires=expires,
            )
        )
        clock.advance(days=2)
        w.ok(
            event(
                w.holder,
                "licence.grant",
                apply.hash,
                w.asset(apply.hash).last_event,
                licensee=w.buyer.hex,
                kind="non_exclusive",
                scope=["analytics"],
                territory=["CN-31"],
                start=when(clock.now),
                end=when(clock.now + timedelta(days=365)),
                sublicensing=False,
                fee_terms_sha256=digest("fee"),
            )
        )
        answer = history(store, apply.hash)
        question = Question(kind="history", asset=apply.hash.hex())
        bundle = build_answer_bundle(log, question, answer_json(answer.value), answer.indexes)
        assert bundle is not None
        times = [e.logged_at for e in bundle.entries if e.role == "registry"]
        path = home / "history.bundle.json"
        path.write_bytes(bundle_json(bundle))
        return Filed(path, log.signer.verifier().to_string(), number, times)
    finally:
        log.stop()
        store.close()


@needs_poppler
def test_the_certificate_states_every_fact_a_court_checks(tmp_path: Path) -> None:
    filed = _history_bundle(tmp_path)
    out = tmp_path / "cert.pdf"
    result = run_cli(
        "certificate", str(filed.bundle), "--out", str(out), "--log-key", filed.log_key
    )
    assert result.returncode == 0, result.stderr
    assert "VERIFIED" in result.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert "存证证书" in flat and "核验通过" in flat and "VERIFIED" in flat
    assert "Holder Ltd" in flat and "上海交通流量数据 2025" in flat
    assert filed.number in flat
    for logged in filed.times:
        assert dual_time(logged).split(" (")[0] in flat, logged
    for key in ("operator_name", "credit_code", "blockchain_filing", "security_filing", "tsa_name"):
        assert FACTS[key] in flat, key
    assert "第三级" in flat and "测试用时间戳服务" in flat
    assert "https://log.example/cunzheng/verify?question=" in flat
    assert "openssl ts -verify" in flat and "golang.org/x/mod/sumdb/tlog" in flat
    fonts = subprocess.run(
        ["pdffonts", str(out)], capture_output=True, check=True, text=True
    ).stdout
    assert "NotoSansCJK" in fonts and all(" yes yes " in line for line in fonts.splitlines()[2:])
    ARTEFACTS.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(out),
            str(ARTEFACTS / "certificate"),
        ],
        check=True,
    )
    assert (ARTEFACTS / "certificate-1.png").stat().st_size > 10_000


@needs_poppler
def test_a_failing_bundle_gets_a_certificate_that_says_so(tmp_path: Path) -> None:
    filed = _history_bundle(tmp_path)
    other = Signer.generate("log.example/cunzheng").verifier().to_string()
    out = tmp_path / "cert.pdf"
    result = run_cli("certificate", str(filed.bundle), "--out", str(out), "--log-key", other)
    assert result.returncode == 1
    assert "NOT VERIFIED" in result.stderr
    flat = " ".join(
        subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert "核验未通过" in flat and "NOT VERIFIED" in flat


def test_no_certificate_is_made_of_a_malformed_bundle(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "cunzheng.bundle/v1"}')
    result = run_cli("certificate", str(bad), "--out", str(tmp_path / "cert.pdf"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "bundle" in result.stderr
    assert not (tmp_path / "cert.pdf").exists()


@needs_poppler
def test_the_api_serves_an_entrys_certificate(
    database_url: str, tmp_path: Path, holder: SigningKey
) -> None:
    settings = server_settings(tmp_path / "data", database_url, platform=FACTS)
    with TestClient(create_app(settings)) as client:
        assert (
            client.post(
                "/v1/statements", content=registration(holder).canonical, headers=JSON
            ).status_code
            == 201
        )
        r = client.post("/v1/statements", content=evidence(holder, 0).canonical, headers=JSON)
        index = r.json()["index"]
        bundle = client.get(f"/v1/bundles/{index}")
        assert bundle.status_code == 200, bundle.text
        assert [e["index"] for e in bundle.json()["entries"] if e["role"] == "evidence"] == [index]
        pdf = client.get(f"/v1/bundles/{index}/certificate.pdf")
        missing = client.get("/v1/bundles/999999/certificate.pdf")
        huge = client.get(f"/v1/bundles/{1 << 63}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert missing.status_code == 404 and "no entry" in missing.json()["detail"]
    assert huge.status_code == 404
    out = tmp_path / "api.pdf"
    out.write_bytes(pdf.content)
    flat = " ".join(
        subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert "核验通过" in flat and FACTS["operator_name"] in flat
    assert f"/verify?entries={index}" in flat


def test_without_a_cjk_font_the_api_says_so_with_503(
    database_url: str, tmp_path: Path, holder: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUNZHENG_CJK_FONT", str(tmp_path / "no-such-font.ttc"))
    settings = server_settings(tmp_path / "data", database_url)
    with TestClient(create_app(settings)) as client:
        client.post("/v1/statements", content=registration(holder).canonical, headers=JSON)
        index = client.post(
            "/v1/statements", content=evidence(holder, 0).canonical, headers=JSON
        ).json()["index"]
        r = client.get(f"/v1/bundles/{index}/certificate.pdf")
    assert r.status_code == 503
    assert r.json() == {
        "error": "unavailable",
        "detail": f"the CJK font {tmp_path / 'no-such-font.ttc'} does not exist",
    }
