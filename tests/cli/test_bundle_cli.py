"""Evidence bundles through the command line: a holder makes one, a judge checks it offline, years later."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import httpx
import orjson
import pytest

from cunzheng.ledger.disclosure import disclose_record, disclosure_json
from cunzheng.ledger.fingerprint import dataset_body
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, read_key, submitter_key
from cunzheng.ledger.receipts import parse_receipt, receipt_json
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.statements import sign_statement
from tests.cli.test_cli import register, run
from tests.conftest import JSON, SIGNED_AT, LiveServer, serve_in_thread, stop_server
from tests.ledger.test_verify_bundle import RECORDS, records_manifest


@pytest.fixture
def key(tmp_path: Path) -> Path:
    out = tmp_path / "alice.key"
    assert run("keygen", "--out", str(out)).returncode == 0
    return out


def _stamp(server: LiveServer, key: Path, *files: Path) -> None:
    r = run("stamp", *map(str, files), "--server", server.url, "--key", str(key))
    assert r.returncode == 0, r.stderr


def _evidence(tmp_path: Path, name: str = "contract.pdf") -> Path:
    f = tmp_path / name
    f.write_bytes(b"%PDF-1.7 the licence agreement of 25 November 2026 " + name.encode())
    return f


def _bundle(
    server: LiveServer, tmp_path: Path, *receipts: Path, extra: tuple[str, ...] = ()
) -> Path:
    out = tmp_path / "evidence.bundle.json"
    r = run(
        "bundle",
        *map(str, receipts),
        "--server",
        server.url,
        "--out",
        str(out),
        "--log-key",
        server.vkey,
        *extra,
    )
    assert r.returncode == 0, r.stderr
    assert str(out) in r.stdout
    return out


def test_register_stamp_bundle_and_verify_offline(
    live_server: LiveServer, key: Path, tmp_path: Path
) -> None:
    r = run(
        "register",
        "--server",
        live_server.url,
        "--key",
        str(key),
        "--kind",
        "rights_holder",
        "--name",
        "Alice Data Ltd",
    )
    assert r.returncode == 0, r.stderr
    f = _evidence(tmp_path)
    _stamp(live_server, key, f)
    bundle = _bundle(live_server, tmp_path, tmp_path / "contract.pdf.receipt.json")
    vkey = tmp_path / "log.vkey"
    vkey.write_text(run("log-key", "--data-dir", str(live_server.data_dir)).stdout)
    stop_server(live_server)

    zh = run("verify", str(bundle), "--file", str(f), "--log-key", str(vkey), "--lang", "zh")
    assert zh.returncode == 0, zh.stdout + zh.stderr
    assert "核验通过" in zh.stdout and "Alice Data Ltd" in zh.stdout and "权利人" in zh.stdout
    assert "不晚于" in zh.stdout and "第十八条" in zh.stdout
    en = run("verify", str(bundle), "--file", str(f), "--log-key", str(vkey), "--lang", "en")
    assert en.returncode == 0, en.stdout + en.stderr
    assert "Result: VERIFIED" in en.stdout and "no later than" in en.stdout
    assert f"The presented file {f} is exactly this content" in en.stdout
    js = run("verify", str(bundle), "--file", str(f), "--log-key", str(vkey), "--json")
    assert js.returncode == 0, js.stderr
    report = json.loads(js.stdout)
    assert report["ok"] is True
    reasons = {c["reason"] for c in report["checks"]}
    assert {"checkpoint.signed", "key.valid", "content.matches"} <= reasons
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    assert report["findings"][0]["facts"]["digest"] == digest

    wrong = _evidence(tmp_path, "forged.pdf")
    bad = run("verify", str(bundle), "--file", str(wrong), "--log-key", str(vkey))
    assert bad.returncode == 1 and "NOT VERIFIED" in bad.stdout
    assert "content.no_match" in bad.stderr and "Traceback" not in bad.stderr

    self_keyed = run("verify", str(bundle))
    assert self_keyed.returncode == 0 and "taken from the bundle itself" in self_keyed.stdout

    offline = run("verify", str(bundle), "--log-key", str(vkey), "--online", live_server.url)
    assert offline.returncode == 1 and "cannot reach the log" in offline.stderr


def test_online_against_a_grown_log_passes(
    live_server: LiveServer, key: Path, tmp_path: Path
) -> None:
    register(live_server, key)
    f = _evidence(tmp_path)
    _stamp(live_server, key, f)
    bundle = _bundle(live_server, tmp_path, tmp_path / "contract.pdf.receipt.json")
    _stamp(live_server, key, _evidence(tmp_path, "later-1.pdf"), _evidence(tmp_path, "later-2.pdf"))
    r = run(
        "verify", str(bundle), "--log-key", live_server.vkey, "--online", live_server.url, "--json"
    )
    assert r.returncode == 0, r.stdout + r.stderr
    (current,) = [c for c in json.loads(r.stdout)["checks"] if c["check"] == "current_checkpoint"]
    assert (
        current["reason"] == "current.consistent"
        and current["facts"]["new_size"] > current["facts"]["size"]
    )


def test_online_against_a_forked_log_reports_the_fork(
    live_server: LiveServer, key: Path, tmp_path: Path
) -> None:
    register(live_server, key)
    _stamp(live_server, key, _evidence(tmp_path))
    bundle = _bundle(live_server, tmp_path, tmp_path / "contract.pdf.receipt.json")
    stop_server(live_server)
    # The operator starts over with the same log key and another history.
    fork_dir = tmp_path / "fork"
    fork_dir.mkdir()
    shutil.copy(live_server.data_dir / LOG_KEY_FILE, fork_dir / LOG_KEY_FILE)
    fork = serve_in_thread(Settings(data_dir=fork_dir))
    try:
        assert fork.vkey == live_server.vkey
        shrunk = run("verify", str(bundle), "--log-key", fork.vkey, "--online", fork.url)
        assert shrunk.returncode == 1 and "current.shrunk" in shrunk.stderr
        assert "has shrunk" in shrunk.stdout
        register(fork, key)
        _stamp(fork, key, *(_evidence(tmp_path, f"other-{i}.pdf") for i in range(4)))
        forked = run(
            "verify", str(bundle), "--log-key", fork.vkey, "--online", fork.url, "--lang", "zh"
        )
        assert forked.returncode == 1 and "current.fork" in forked.stderr
        assert "分叉" in forked.stdout and "Traceback" not in forked.stderr
    finally:
        stop_server(fork)


def test_a_dataset_bundle_carries_its_disclosures(
    live_server: LiveServer, key: Path, tmp_path: Path
) -> None:
    register(live_server, key)
    manifest = records_manifest()
    statement = sign_statement(
        type="evidence.dataset",
        body=dataset_body(manifest),
        key=submitter_key(read_key(key)),
        signed_at=SIGNED_AT,
    )
    answer = httpx.post(
        f"{live_server.url}/v1/statements", content=statement.canonical, headers=JSON
    )
    assert answer.status_code == 201, answer.text
    receipt = tmp_path / "dataset.receipt.json"
    receipt.write_bytes(receipt_json(parse_receipt(orjson.dumps(answer.json()))))
    disclosure = tmp_path / "row-3.disclosure.json"
    disclosure.write_bytes(disclosure_json(disclose_record(manifest, 3, RECORDS[3])))
    bundle = _bundle(live_server, tmp_path, receipt, extra=("--disclosure", str(disclosure)))
    assert len(json.loads(bundle.read_text())["disclosures"]) == 1
    r = run("verify", str(bundle), "--log-key", live_server.vkey)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "item #3 belongs to the dataset" in r.stdout

    other = tmp_path / "row-4.disclosure.json"
    obj = json.loads(disclosure.read_text())
    obj["index"] = 4
    other.write_text(json.dumps(obj))
    bad = run("verify", str(bundle), "--log-key", live_server.vkey, "--disclosure", str(other))
    assert bad.returncode == 1 and "disclosure.failed" in bad.stderr


def test_a_disclosure_of_no_logged_dataset_is_not_bundled(
    live_server: LiveServer, key: Path, tmp_path: Path
) -> None:
    register(live_server, key)
    _stamp(live_server, key, _evidence(tmp_path))
    disclosure = tmp_path / "row.disclosure.json"
    disclosure.write_bytes(disclosure_json(disclose_record(records_manifest(), 0, RECORDS[0])))
    out = tmp_path / "b.json"
    r = run(
        "bundle",
        str(tmp_path / "contract.pdf.receipt.json"),
        "--server",
        live_server.url,
        "--out",
        str(out),
        "--disclosure",
        str(disclosure),
    )
    assert r.returncode == 1 and "disclosure.no_dataset" in r.stderr and not out.exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["verify", "a.pdf", "a.pdf.receipt.json"], "needs --log-key"),
        (["verify", "a", "b", "c"], "give one bundle"),
        (["verify", "missing.bundle.json"], "does not exist"),
        (
            ["bundle", "missing.json", "--server", "http://127.0.0.1:9", "--out", "b.json"],
            "does not exist",
        ),
    ],
)
def test_usage_errors_are_one_readable_line(args: list[str], words: str, tmp_path: Path) -> None:
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 1 and words in r.stderr and "Traceback" not in r.stderr


def test_a_file_that_is_not_a_bundle_is_reported(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text('{"format": "cunzheng.receipt/v1"}')
    r = run("verify", str(junk), "--lang", "zh")
    assert r.returncode == 1 and "不是有效的证据包" in r.stdout and "bundle.malformed" in r.stderr


def test_bundle_help_has_an_example() -> None:
    r = run("bundle", "--help")
    assert r.returncode == 0 and "example:" in r.stdout
