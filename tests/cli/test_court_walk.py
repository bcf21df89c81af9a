"""The acceptance walk of the issue "fingerprints and selective disclosure", end to end.

A rights holder registers itself, fingerprints a CSV of 10,000 rows and a
directory (``cunzheng hash``), stamps both roots as ``evidence.dataset``
statements (``cunzheng stamp --manifest``), later discloses record 1234
alone (``cunzheng disclose``) and exports a bundle with that disclosure
(``cunzheng bundle``). The server is then stopped: a judge verifies the
bundle offline, with the record's bytes as the presented file, and every
single-bit change to the bundle, to that file or to the disclosed record
makes the verification fail and name the check. Every bit of the file and
of the record is changed; in the bundle, one bit of every byte (the bit
position rotating with the byte), so that every field is hit.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import time
from pathlib import Path

import httpx

from cunzheng.ledger.note import Verifier
from cunzheng.ledger.tsa.verify import load_certificates
from cunzheng.ledger.verify import Outcome, Report, verify_bundle
from tests.cli.test_cli import run
from tests.conftest import LiveServer, stop_server
from tests.ledger.test_verify_bundle import checks_naming, first_difference


def _csv(path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "city", "note"])
        for i in range(10_000):
            w.writerow(
                [i, f"客户 {i}", "上海" if i % 3 else "杭州", "a, b" if i % 7 else "one\ntwo"]
            )


def _directory(path: Path) -> None:
    for rel, text in {
        "README.txt": "traffic flows, 2025",
        "2025/q1.json": '{"flows": 12031}',
        "2025/q2.json": '{"flows": 13377}',
        "maps/内环.geojson": '{"type": "FeatureCollection"}',
    }.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text, encoding="utf-8")


def _ok(*args: str) -> str:
    r = run(*args)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def _wait_for_time_stamps(server: LiveServer, size: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = httpx.get(f"{server.url}/log/checkpoint/evidence", timeout=5)
        if r.status_code == 200 and r.json()["size"] >= size and r.json()["timestamps"]:
            return
        time.sleep(0.1)
    raise AssertionError(f"the log time-stamped no checkpoint of {size} entries: {r.text}")


def _failed(report: Report) -> set[str]:
    return {c.check for c in report.failed() if c.outcome is Outcome.FAILED}


def test_register_fingerprint_stamp_disclose_bundle_and_verify_offline(
    live_server: LiveServer, tmp_path: Path
) -> None:
    server = live_server
    key = tmp_path / "holder.key"
    _ok("keygen", "--out", str(key))
    _ok(
        "register",
        "--server",
        server.url,
        "--key",
        str(key),
        "--kind",
        "rights_holder",
        "--name",
        "上海数据科技有限公司",
        "--registry-id",
        "91310000MA1FL1234Q",
    )
    customers, photos = tmp_path / "customers.csv", tmp_path / "flows"
    _csv(customers)
    _directory(photos)
    manifests = {
        "customers": tmp_path / "customers.manifest.json",
        "flows": tmp_path / "flows.manifest.json",
    }
    roots = {}
    for name, data in (("customers", customers), ("flows", photos)):
        printed = _ok("hash", str(data), "--manifest", str(manifests[name]))
        roots[name] = printed.split()[0]
    vkey = tmp_path / "log.vkey"
    vkey.write_text(server.vkey)
    stamped = _ok(
        "stamp",
        "--manifest",
        str(manifests["customers"]),
        "--manifest",
        str(manifests["flows"]),
        "--server",
        server.url,
        "--key",
        str(key),
        "--log-key",
        str(vkey),
    )
    assert "(10001 records)" in stamped and "(4 files)" in stamped
    receipts = [Path(f"{m}.receipt.json") for m in manifests.values()]
    for receipt, root in zip(receipts, roots.values(), strict=True):
        statement = json.loads(receipt.read_text())["statement"]
        assert statement["type"] == "evidence.dataset" and statement["body"]["root"] == root

    # Later: record 1234 alone, for a court.
    disclosure = tmp_path / "record-1234.disclosure.json"
    _ok("disclose", str(manifests["customers"]), "--record", "1234", "--out", str(disclosure))
    record = base64.b64decode(json.loads(disclosure.read_text())["record"])
    assert json.loads(record) == ["1233", "客户 1233", "杭州", "a, b"]
    record_file = tmp_path / "record-1234.json"
    record_file.write_bytes(record)
    _wait_for_time_stamps(server, max(json.loads(r.read_text())["tree_size"] for r in receipts))
    bundle = tmp_path / "datasets.bundle.json"
    made = _ok(
        "bundle",
        *map(str, receipts),
        "--server",
        server.url,
        "--out",
        str(bundle),
        "--disclosure",
        str(disclosure),
        "--log-key",
        str(vkey),
    )
    assert "1 disclosure(s), 1 time-stamp token(s)" in made
    ca = tmp_path / "tsa-ca.pem"
    ca.write_bytes(
        httpx.get(f"{server.url}/tsa/certs").content.split(b"-----END CERTIFICATE-----\n", 1)[1]
    )
    assert ca.read_bytes() == (server.data_dir / "tsa" / "ca.pem").read_bytes()
    stop_server(server)

    judge = ["verify", str(bundle), "--log-key", str(vkey), "--tsa-root", str(ca)]
    report = _ok(*judge, "--file", str(record_file))
    assert "Result: VERIFIED" in report
    assert (
        "a dataset of 10001 items (records)" in report
        and "a dataset of 4 items (directory)" in report
    )
    assert "Disclosed: item #1234 belongs to this dataset." in report
    assert f"The presented file {record_file} is exactly this content" in report
    assert "existed no later than" in report and "(RFC 3161, TSA" in report
    assert "上海数据科技有限公司" in _ok(*judge, "--lang", "zh")

    data = bundle.read_bytes()
    log_key = Verifier.from_string(vkey.read_text())
    trusted = load_certificates([ca.read_bytes()])
    files = {"record-1234.json": hashlib.sha256(record).digest()}

    def check(
        mutated: bytes,
        presented: dict[str, bytes] | None = None,
        disclosures: tuple[tuple[str, bytes], ...] = (),
    ) -> Report:
        return verify_bundle(
            mutated,
            log_key=log_key,
            files=files if presented is None else presented,
            disclosures=disclosures,
            tsa_roots=trusted,
        )

    assert check(data).ok
    original = json.loads(data)
    hit: set[str] = set()
    for i in range(len(data)):
        mutated = bytearray(data)
        mutated[i] ^= 1 << (i % 8)
        result = check(bytes(mutated))
        where = f"bundle byte {i}: {bytes(mutated[max(0, i - 30) : i + 30])!r}"
        assert not result.ok, where
        try:
            path = first_difference(original, json.loads(mutated))
        except (ValueError, UnicodeDecodeError):
            path = ()
        expected = checks_naming(path)
        assert _failed(result) & expected, f"{where}: {path} failed {_failed(result)}"
        hit |= {str(path[0])} if path else set()
    assert hit >= {"log", "checkpoint", "entries", "disclosures", "timestamps"}

    # The file presented to the court: the record's bytes, every bit of them.
    for i in range(len(record) * 8):
        changed = bytearray(record)
        changed[i // 8] ^= 1 << (i % 8)
        result = check(data, {"record-1234.json": hashlib.sha256(changed).digest()})
        assert _failed(result) == {"content"}, i
        assert {c.reason for c in result.failed()} == {"content.no_match"}

    # The disclosed record: every bit of it, in the disclosure presented beside the bundle.
    shown = json.loads(disclosure.read_text())
    for i in range(len(record) * 8):
        changed = bytearray(record)
        changed[i // 8] ^= 1 << (i % 8)
        altered = json.dumps({**shown, "record": base64.b64encode(changed).decode()}).encode()
        result = check(data, {}, (("record-1234.disclosure.json", altered),))
        assert _failed(result) == {"disclosure"}, i
        assert {c.reason for c in result.failed()} == {"disclosure.failed"}

    # The command line says the same, naming the check, for a few of them.
    for i in (data.index(b'"root"'), data.index(b'"record"') + 12, data.index(b'"token"') + 40):
        mutated = bytearray(data)
        mutated[i] ^= 0x01
        bad = tmp_path / "tampered.bundle.json"
        bad.write_bytes(bytes(mutated))
        r = run("verify", str(bad), "--log-key", str(vkey), "--tsa-root", str(ca))
        assert r.returncode == 1 and "NOT VERIFIED" in r.stdout and "Traceback" not in r.stderr
        assert "cunzheng verify: NOT VERIFIED" in r.stderr
    tampered = tmp_path / "record-1234-tampered.json"
    tampered.write_bytes(record.replace(b"1233", b"1234"))
    r = run(*judge, "--file", str(tampered))
    assert r.returncode == 1 and "content.no_match" in r.stderr
