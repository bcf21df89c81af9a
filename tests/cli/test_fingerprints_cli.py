"""``cunzheng hash`` and ``cunzheng disclose`` as a rights holder uses them, and a judge checks."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import stat
from pathlib import Path

import pytest

from cunzheng.cli.fingerprints import ProgressLine
from cunzheng.ledger.disclosure import parse_manifest, verify_disclosure
from cunzheng.ledger.errors import InvalidProof
from cunzheng.ledger.fingerprint import item_salt
from tests.conftest import CliResult, run_cli


def run(*args: str) -> CliResult:
    return run_cli(*args)


def hashed(*args: str) -> tuple[bytes, dict[str, object]]:
    """Return the root and statement body that ``cunzheng hash`` prints."""
    r = run("hash", *args)
    assert r.returncode == 0, r.stderr
    root_line, body_line = r.stdout.splitlines()
    assert "\r" not in r.stderr, "no progress line when stderr is not a terminal"
    return bytes.fromhex(root_line.split()[0]), json.loads(body_line)


def failed(*args: str, message: str) -> None:
    r = run(*args)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert message in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"cunzheng {args[0]}: ") and r.stderr.count("\n") == 1


@pytest.fixture
def customers(tmp_path: Path) -> Path:
    """A CSV file of a header and 10,000 rows, some with quoted line breaks and commas."""
    path = tmp_path / "customers.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "note"])
        for i in range(10_000):
            w.writerow([i, f"客户 {i}", "line one\nline two" if i % 97 == 0 else f"a, b {i}"])
    return path


def test_hash_and_disclose_a_record_of_a_csv_dataset(customers: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "customers.manifest.json"
    root, body = hashed(str(customers), "--manifest", str(manifest))
    assert body == {"root": root.hex(), "scheme": "records", "count": 10_001, "format": "csv"}
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o600
    m = parse_manifest(manifest.read_bytes())
    assert (m.kind, m.record_format, m.count, m.root, m.salt) == (
        "records",
        "csv",
        10_001,
        root,
        None,
    )

    out = tmp_path / "record-1234.json"
    r = run("disclose", str(manifest), "--record", "1234", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "record 1234 of 10001" in r.stdout
    # The judge has the statement body and the disclosure, nothing else.
    item = verify_disclosure(out.read_bytes(), root=bytes.fromhex(str(body["root"])), count=10_001)
    # Record 0 is the header, so record 1234 is the row of id 1233.
    assert item.record is not None and json.loads(item.record) == ["1233", "客户 1233", "a, b 1233"]
    assert item.index == 1234 and item.salt is None
    assert len(out.read_bytes()) < 4096

    # A row with a quoted line break discloses as the parsed row.
    r = run("disclose", str(manifest), "--record", "98", "--out", str(out))
    assert r.returncode == 0, r.stderr
    item = verify_disclosure(out.read_bytes(), root=root, count=10_001)
    assert json.loads(item.record or b"") == ["97", "客户 97", "line one\nline two"]


def test_salted_records_disclose_their_own_salt(customers: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    root, _ = hashed(str(customers), "--salt", "--manifest", str(manifest))
    unsalted, _ = hashed(str(customers))
    assert root != unsalted
    master = parse_manifest(manifest.read_bytes()).salt
    assert master is not None
    out = tmp_path / "d.json"
    assert run("disclose", str(manifest), "--record", "7", "--out", str(out)).returncode == 0
    item = verify_disclosure(out.read_bytes(), root=root, count=10_001)
    assert item.salt == item_salt(master, 7)
    assert master.hex() not in out.read_text()


def test_hash_and_disclose_a_file_of_a_directory(tmp_path: Path) -> None:
    data = tmp_path / "dataset"
    (data / "images" / "2024").mkdir(parents=True)
    (data / "empty").mkdir()
    (data / "images" / "2024" / "封面.jpg").write_bytes(os.urandom(5000))
    (data / "README.md").write_text("a dataset\n")
    for i in range(20):
        (data / "images" / f"{i:03}.bin").write_bytes(os.urandom(i))
    manifest = tmp_path / "dir.manifest.json"
    root, body = hashed(str(data), "--salt", "--manifest", str(manifest))
    assert body == {"root": root.hex(), "scheme": "directory", "count": 22}

    out = tmp_path / "cover.json"
    r = run("disclose", str(manifest), "--file", "images/2024/封面.jpg", "--out", str(out))
    assert r.returncode == 0, r.stderr
    item = verify_disclosure(out.read_bytes(), root=root, count=22)
    cover = (data / "images" / "2024" / "封面.jpg").read_bytes()
    assert item.path == "images/2024/封面.jpg" and item.sha256 == hashlib.sha256(cover).digest()
    assert item.salt is not None

    # A path on disk under the source names the same file.
    on_disk = str(data / "images" / "2024" / "封面.jpg")
    r = run("disclose", str(manifest), "--file", on_disk, "--source", str(data), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert verify_disclosure(out.read_bytes(), root=root).path == "images/2024/封面.jpg"

    # A file changed since it was fingerprinted is not disclosed.
    (data / "README.md").write_text("edited\n")
    failed(
        "disclose",
        str(manifest),
        "--file",
        "README.md",
        "--out",
        str(out),
        message="README.md does not match the manifest: the file changed",
    )


def test_hash_a_single_file(tmp_path: Path) -> None:
    path = tmp_path / "contract.pdf"
    content = os.urandom(100_000)
    path.write_bytes(content)
    root, body = hashed(str(path))
    assert root == hashlib.sha256(content).digest() and body == {"sha256": root.hex()}
    manifest = tmp_path / "m.json"
    salted, body = hashed(str(path), "--salt", "--manifest", str(manifest))
    salt = parse_manifest(manifest.read_bytes()).salt
    assert salt is not None and salted == hashlib.sha256(salt + content).digest()
    assert body == {"sha256": salted.hex()}


def test_hash_jsonl_and_explicit_formats(tmp_path: Path) -> None:
    path = tmp_path / "events.log"
    path.write_bytes(b'{"a":1}\n{"b":2}\n')
    as_file, body = hashed(str(path))
    assert body == {"sha256": as_file.hex()}
    root, body = hashed(str(path), "--format", "jsonl")
    assert body == {"root": root.hex(), "scheme": "records", "count": 2, "format": "jsonl"}


def test_errors_are_one_readable_line(customers: Path, tmp_path: Path) -> None:
    failed("hash", str(tmp_path / "missing.csv"), message="missing.csv does not exist")
    failed("hash", str(customers), "--salt", message="--salt needs --manifest")
    failed("hash", str(tmp_path), "--format", "csv", message="--format csv needs a file")
    failed("hash", str(customers), "--format", "directory", message="needs a directory")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b'id,note\n1,"never closed\n')
    failed("hash", str(bad), message="bad.csv: CSV line 2: unexpected end of data")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("id,name\n1,张三\n".encode("gbk"))
    failed("hash", str(gbk), message="is not UTF-8 text: line 2")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "link").symlink_to(customers)
    failed("hash", str(linked), message="is a symbolic link")

    manifest = tmp_path / "m.json"
    assert run("hash", str(customers), "--manifest", str(manifest)).returncode == 0
    failed("hash", str(customers), "--manifest", str(manifest), message="is never overwritten")
    out = str(tmp_path / "d.json")
    failed("disclose", str(manifest), "--record", "10001", "--out", out, message="no record 10001")
    failed("disclose", str(manifest), "--file", "x", "--out", out, message="use --record")
    failed(
        "disclose",
        str(manifest),
        "--record",
        "1",
        "--source",
        str(tmp_path / "gone.csv"),
        "--out",
        out,
        message="give the dataset with --source",
    )
    text = customers.read_text(encoding="utf-8").replace("客户 5,", "客户 five,")
    customers.write_text(text, encoding="utf-8")
    failed(
        "disclose",
        str(manifest),
        "--record",
        "6",
        "--out",
        out,
        message="record 6 of the data does not match the manifest",
    )
    broken = tmp_path / "broken.json"
    broken.write_text(manifest.read_text().replace('"count"', '"cuont"'))
    failed(
        "disclose", str(broken), "--record", "1", "--out", out, message="manifest is not a valid"
    )
    failed(
        "disclose",
        str(tmp_path / "nope.json"),
        "--record",
        "1",
        "--out",
        out,
        message="does not exist",
    )
    single = tmp_path / "single.json"
    assert run("hash", str(gbk), "--format", "file", "--manifest", str(single)).returncode == 0
    failed("disclose", str(single), "--record", "0", "--out", out, message="no item in it")
    folder = tmp_path / "folder.json"
    assert run("hash", str(linked.parent / "folder"), "--manifest", str(folder)).returncode == 1
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text("a")
    assert run("hash", str(tmp_path / "folder"), "--manifest", str(folder)).returncode == 0
    failed(
        "disclose", str(folder), "--file", "b.txt", "--out", out, message="lists no file 'b.txt'"
    )
    r = run("disclose", str(manifest), "--out", out)
    assert r.returncode == 2 and "one of the arguments --record --file is required" in r.stderr


def test_a_tampered_disclosure_names_its_fault(customers: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    root, _ = hashed(str(customers), "--manifest", str(manifest))
    out = tmp_path / "d.json"
    assert run("disclose", str(manifest), "--record", "1234", "--out", str(out)).returncode == 0
    d = json.loads(out.read_text())
    d["record"] = base64.b64encode(b'["1233","someone else","a, b 1233"]').decode()
    with pytest.raises(
        InvalidProof, match="record 1234 of 10001 is not in the dataset: root mismatch"
    ):
        verify_disclosure(json.dumps(d), root=root, count=10_001)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_draws_on_a_terminal_only() -> None:
    tty = _Terminal()
    bar = ProgressLine("hashing big.csv", stream=tty, min_bytes=100, interval=0)
    bar(50, 200)
    bar(200, 200)
    bar.close()
    drawn = tty.getvalue()
    assert "\rhashing big.csv:  25%" in drawn and "100%" in drawn and drawn.endswith("\r")
    small = _Terminal()
    ProgressLine("x", stream=small, min_bytes=1000, interval=0)(10, 999)
    pipe = io.StringIO()
    ProgressLine("x", stream=pipe, min_bytes=0, interval=0)(10, 20)
    assert small.getvalue() == pipe.getvalue() == ""
