"""Regressions for the defects a user met at the exchange's desk, each test named after its defect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cunzheng.ledger.note import Verifier
from tests.cli.test_ask_cli import _post, registry_server
from tests.conftest import CliResult, FixedClock, LiveServer, run_cli

__all__ = ["registry_server"]  # a fixture, used by name


@pytest.fixture
def key(tmp_path: Path) -> Path:
    out = tmp_path / "holder.key"
    assert run_cli("keygen", "--out", str(out)).returncode == 0
    return out


@pytest.fixture
def holder(live_server: LiveServer, key: Path) -> Path:
    """A key registered as a rights holder on the live server."""
    r = run_cli(
        "register",
        "--server",
        live_server.url,
        "--key",
        str(key),
        "--kind",
        "rights_holder",
        "--name",
        "Alice",
    )
    assert r.returncode == 0, r.stderr
    return key


def stamp(server: LiveServer, key: Path, *files: Path) -> CliResult:
    return run_cli("stamp", *map(str, files), "--server", server.url, "--key", str(key))


@pytest.fixture
def stamped(live_server: LiveServer, holder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A file stamped on the live server, and its receipt."""
    doc = tmp_path / "contract.pdf"
    doc.write_bytes(b"the contract")
    r = stamp(live_server, holder, doc)
    assert r.returncode == 0, r.stderr
    return doc, tmp_path / "contract.pdf.receipt.json"


def test_log_key_works_only_in_the_servers_directory(live_server: LiveServer) -> None:
    r = run_cli("log-key", "--server", live_server.url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == live_server.vkey
    assert Verifier.from_string(r.stdout.strip())
    assert "publishes" in r.stderr


def test_tsa_ca_pem_is_produced_by_nothing(live_server: LiveServer, tmp_path: Path) -> None:
    from cryptography import x509

    r = run_cli("tsa-cert", "--server", live_server.url)
    assert r.returncode == 0, r.stderr
    (cert,) = x509.load_pem_x509_certificates(r.stdout.encode())
    assert cert.subject == cert.issuer  # the root, to give --tsa-root
    chain = run_cli("tsa-cert", "--server", live_server.url, "--chain")
    assert len(x509.load_pem_x509_certificates(chain.stdout.encode())) >= 2


def test_stamping_twice_overwrites_the_earlier_receipt(
    live_server: LiveServer, stamped: tuple[Path, Path], holder: Path
) -> None:
    doc, receipt = stamped
    first = receipt.read_bytes()
    again = stamp(live_server, holder, doc)
    assert again.returncode == 0, again.stderr
    assert receipt.read_bytes() == first
    second = doc.with_name("contract.pdf.receipt-2.json")
    assert second.exists() and second.read_bytes() != first
    assert str(second) in again.stdout


def test_stamp_dir_gives_no_pointer_to_hash_manifest(
    live_server: LiveServer, holder: Path, tmp_path: Path
) -> None:
    (tmp_path / "photos").mkdir()
    r = stamp(live_server, holder, tmp_path / "photos")
    assert r.returncode == 1
    assert "cunzheng hash" in r.stderr and "--manifest" in r.stderr


@pytest.fixture
def bundle(live_server: LiveServer, stamped: tuple[Path, Path], tmp_path: Path) -> Path:
    out = tmp_path / "evidence.bundle.json"
    r = run_cli("bundle", str(stamped[1]), "--server", live_server.url, "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out


def test_verify_receipt_as_bundle_says_no_log_key_was_supplied(
    live_server: LiveServer, stamped: tuple[Path, Path]
) -> None:
    receipt = stamped[1]
    r = run_cli("verify", str(receipt), "--log-key", live_server.vkey)
    assert r.returncode == 1
    assert "no log key was supplied" not in r.stdout + r.stderr
    assert "is a receipt, not an evidence bundle" in r.stderr
    assert f"cunzheng verify FILE {receipt}" in r.stderr


def test_report_prints_question_mark_placeholders(tmp_path: Path) -> None:
    from cunzheng.ledger.verify import render_text, verify_bundle

    text = render_text(verify_bundle(b"{}", log_key=None))
    assert "?" not in text and "no log key was supplied" not in text


def test_report_json_prints_dash_for_a_missing_value(live_server: LiveServer, bundle: Path) -> None:
    r = run_cli("verify", str(bundle), "--log-key", live_server.vkey, "--json")
    assert r.returncode == 0, r.stderr
    assert "—" not in r.stdout
    (finding,) = json.loads(r.stdout)["findings"]
    assert finding["facts"]["registry_id"] is None
    text = run_cli("verify", str(bundle), "--log-key", live_server.vkey)
    assert "registry id (not known)" in text.stdout


def test_receipt_form_verify_ignores_lang_zh_and_refuses_json(
    live_server: LiveServer, stamped: tuple[Path, Path]
) -> None:
    doc, receipt = stamped
    zh = run_cli("verify", str(doc), str(receipt), "--log-key", live_server.vkey, "--lang", "zh")
    assert zh.returncode == 0, zh.stderr
    assert "核验通过" in zh.stdout and "VERIFIED" not in zh.stdout
    js = run_cli("verify", str(doc), str(receipt), "--log-key", live_server.vkey, "--json")
    assert js.returncode == 0, js.stderr
    report = json.loads(js.stdout)
    assert report["ok"] is True and report["file"] == str(doc) and len(report["sha256"]) == 64
    doc.write_bytes(b"another contract")
    bad = run_cli("verify", str(doc), str(receipt), "--log-key", live_server.vkey, "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["ok"] is False


def test_private_key_given_as_log_key_is_misreported(
    live_server: LiveServer, stamped: tuple[Path, Path], holder: Path
) -> None:
    doc, receipt = stamped
    secret = holder.read_text().strip()
    for given in (str(holder), secret):
        r = run_cli("verify", str(doc), str(receipt), "--log-key", given)
        assert r.returncode == 1
        assert "private signing key, not a log's verifier key" in r.stderr
        assert secret not in r.stderr + r.stdout
    m = run_cli("monitor", live_server.url, "--log-key", str(holder))
    assert m.returncode == 1 and "private signing key" in m.stderr


def test_file_and_receipt_swapped_is_misreported(
    live_server: LiveServer, stamped: tuple[Path, Path]
) -> None:
    doc, receipt = stamped
    r = run_cli("verify", str(receipt), str(doc), "--log-key", live_server.vkey)
    assert r.returncode == 1
    assert "give the file first" in r.stderr
    assert f"cunzheng verify {doc} {receipt}" in r.stderr


def test_monitor_with_a_wrong_key_reports_misbehaviour(live_server: LiveServer) -> None:
    from cunzheng.ledger.note import Signer

    other = Signer.generate("localhost/cunzheng").verifier().to_string()
    r = run_cli("monitor", live_server.url, "--log-key", other)
    assert r.returncode == 1, r.stderr
    assert "ALARM" not in r.stderr
    assert "check --log-key" in r.stderr and "not evidence of misbehaviour" in r.stderr


def test_verify_of_a_large_non_bundle_reads_it_all_into_memory(tmp_path: Path) -> None:
    import tracemalloc

    big = tmp_path / "video.mp4"
    with open(big, "wb") as f:
        f.truncate(256 << 20)  # sparse: costs no disk
    tracemalloc.start()
    try:
        r = run_cli("verify", str(big))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.returncode == 1 and "is not an evidence bundle" in r.stderr
    assert "bundle.malformed" in r.stderr
    assert peak < 16 << 20


def test_tsa_stamp_writes_a_bare_token_named_tsr(live_server: LiveServer, tmp_path: Path) -> None:
    import shutil
    import subprocess

    f = tmp_path / "contract.pdf"
    f.write_bytes(b"%PDF-1.7 a contract")
    r = run_cli("tsa-stamp", str(f), "--tsa", f"{live_server.url}/tsa")
    assert r.returncode == 0, r.stderr
    token = tmp_path / "contract.pdf.tst"
    assert token.exists() and not (tmp_path / "contract.pdf.tsr").exists()
    assert "-token_in" in r.stdout
    if shutil.which("openssl") is not None:
        shown = subprocess.run(
            ["openssl", "ts", "-reply", "-in", str(token), "-token_in", "-text"],
            capture_output=True,
            text=True,
        )
        assert shown.returncode == 0 and "Time stamp:" in shown.stdout, shown.stderr


def test_no_progress_on_stamp_verify_or_search_of_large_files(
    live_server: LiveServer, holder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cunzheng.cli import progress

    drawn: list[str] = []

    class Terminal(progress.ProgressLine):
        """A progress line that believes stderr is a terminal and records what it draws."""

        def __init__(self, label: str, **_: object) -> None:
            super().__init__(label, min_bytes=0, interval=0)
            self._enabled = True
            drawn.append(label)

    monkeypatch.setattr(progress, "ProgressLine", Terminal)
    doc = tmp_path / "film.mov"
    doc.write_bytes(b"x" * (3 << 20))
    assert stamp(live_server, holder, doc).returncode == 0
    receipt = str(doc) + ".receipt.json"
    assert run_cli("verify", str(doc), receipt, "--log-key", live_server.vkey).returncode == 0
    assert run_cli("search", str(doc), "--server", live_server.url).returncode == 0
    assert drawn == [f"hashing {doc}"] * 3


def test_readme_omits_python_version_and_settings() -> None:
    from cunzheng.ledger.settings import Settings

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    assert "Python 3.11" in readme
    missing = [f for f in Settings.model_fields if f"CUNZHENG_{f.upper()}" not in readme]
    assert missing == [], f"settings missing from the README's table: {missing}"
    assert "log-key --server" in readme and "out of band" in readme and "tsa-cert" in readme
    assert "/witness-data/" in (root / ".gitignore").read_text().splitlines()


def test_ask_answers_show_ids_without_names(
    registry_server: LiveServer, tmp_path: Path, clock: FixedClock
) -> None:
    from nacl.signing import SigningKey

    from cunzheng.ledger.keyfiles import OPERATOR_KEY_FILE, read_key, submitter_key
    from tests.api.test_registry_api import asset_story
    from tests.conftest import registration

    holder = SigningKey.generate()
    post = _post(registry_server)
    post(registration(holder), 201)
    operator = submitter_key(read_key(registry_server.data_dir / OPERATOR_KEY_FILE))
    story = asset_story(post, operator, holder, clock)
    asset = story.asset.hex()
    r = run_cli("ask", "history", asset, "--server", registry_server.url)
    assert r.returncode == 0, r.stderr
    assert f"{story.heir.hex}  Heir Ltd (party, registered at entry " in r.stdout
    assert f"{story.exchange.hex}  Exchange (party, registered at entry " in r.stdout
    assert f"{asset}  Traffic flows 2025 (asset, registered at entry " in r.stdout
    portfolio = run_cli("ask", "portfolio", story.heir.hex, "--server", registry_server.url)
    assert f"{asset}  Traffic flows 2025 (asset" in portfolio.stdout
    js = run_cli("ask", "history", asset, "--server", registry_server.url, "--json")
    assert js.returncode == 0, js.stderr
    assert set(json.loads(js.stdout)) == {"question", "answer"} and "Heir Ltd" not in js.stdout


def test_disclosed_record_content_is_shown_nowhere_in_the_report(
    live_server: LiveServer, holder: Path, tmp_path: Path
) -> None:
    from cunzheng.ledger.verify.presented import shown_content

    data = tmp_path / "customers.csv"
    data.write_text("id,note\n1,evil\u202etxt.exe\n2," + "x" * 5000 + "\n", encoding="utf-8")
    manifest = tmp_path / "customers.manifest.json"
    assert run_cli("hash", str(data), "--manifest", str(manifest)).returncode == 0
    r = run_cli(
        "stamp", "--manifest", str(manifest), "--server", live_server.url, "--key", str(holder)
    )
    assert r.returncode == 0, r.stderr
    receipt = f"{manifest}.receipt.json"
    bundle = tmp_path / "b.json"
    short, long = tmp_path / "short.json", tmp_path / "long.json"
    for n, out in (("1", short), ("2", long)):
        assert run_cli("disclose", str(manifest), "--record", n, "--out", str(out)).returncode == 0
    made = run_cli(
        "bundle",
        receipt,
        "--server",
        live_server.url,
        "--out",
        str(bundle),
        "--disclosure",
        str(short),
    )
    assert made.returncode == 0, made.stderr
    key = ["--log-key", live_server.vkey]
    en = run_cli("verify", str(bundle), *key)
    assert en.returncode == 0, en.stdout + en.stderr
    shown = '[\\"1\\",\\"evil\\u202etxt.exe\\"]'
    assert f'Content of the record (22 bytes, shown in full, escaped): "{shown}"' in en.stdout
    assert "\u202e" not in en.stdout
    zh = run_cli("verify", str(bundle), *key, "--lang", "zh")
    assert f"该记录的内容（共 22 字节，全部显示，已转义）：“{shown}”" in zh.stdout
    js = json.loads(
        run_cli("verify", str(bundle), *key, "--json", "--disclosure", str(long)).stdout
    )
    facts = [c["facts"] for c in js["checks"] if c["reason"] == "disclosure.proved"]
    assert [f["content_bytes"] for f in facts] == [22, 5008]
    assert facts[1]["content_shown_bytes"] < 300 and facts[1]["content"].startswith(
        '[\\"2\\",\\"xxx'
    )
    cut = run_cli("verify", str(bundle), *key, "--disclosure", str(long)).stdout
    assert "(5008 bytes; the first " in cut and "x" * 300 not in cut
    assert shown_content(b"a\x1b[2J\xff\n") == ("a\\x1b[2J\\xff\\n", 7)


def test_a_salt_not_32_bytes_makes_a_commitment_that_can_never_be_deposited(
    live_server: LiveServer, holder: Path, tmp_path: Path
) -> None:
    import base64
    import hashlib

    from cunzheng.ledger.client.desk import commitments
    from cunzheng.ledger.errors import MalformedInput
    from cunzheng.ledger.fingerprint import commit
    from cunzheng.ledger.keyfiles import OPERATOR_KEY_FILE

    with pytest.raises(
        MalformedInput,
        match="a salt has 32 bytes, not 16: a commitment's salt must be 32 random bytes",
    ):
        commit(b"rules", b"s" * 16)
    salt = bytes(range(32))
    given = {"value": "rules", "salt": base64.b64encode(salt).decode()}
    assert commitments({"processing_rules": given}) == {
        "processing_rules": hashlib.sha256(salt + b"rules").hexdigest()
    }
    exchange = tmp_path / "exchange.key"
    assert run_cli("keygen", "--out", str(exchange)).returncode == 0
    operator = str(live_server.data_dir / OPERATOR_KEY_FILE)
    r = run_cli(
        "register", "--server", live_server.url, "--key", operator, "--party-key",
        str(exchange), "--kind", "exchange", "--name", "Exchange",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    short = {"value": "rules", "salt": base64.b64encode(b"s" * 16).decode()}
    particulars = tmp_path / "p.json"
    particulars.write_text(json.dumps({"confidential": {"processing_rules": short}}))
    data = tmp_path / "d.csv"
    data.write_text("id\n1\n")
    refused = run_cli(
        "asset", "apply", "--holder", "Alice", "--registrar", "Exchange", "--particulars",
        str(particulars), "--fingerprint-of", str(data), "--server", live_server.url,
        "--prepare", str(tmp_path / "draft.json"),
    )  # fmt: skip
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "the salt has 16 bytes; it must be 32 random bytes" in refused.stderr
    assert "needed to deposit" in refused.stderr
