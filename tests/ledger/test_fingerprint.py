"""Tests for ledger.fingerprint: file, directory and record fingerprints, salts and manifests.

Sources of truth: the fixed vectors in tests/ledger/vectors/fingerprint/, and a
naive reference below written from the format's text (RFC 9162 §2.1 recursion,
the ``rfc8785`` package for canonical JSON, the ``csv`` module for rows), which
shares no code with ledger.fingerprint.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import re
import stat
import tracemalloc
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cunzheng.ledger import fingerprint as fp
from cunzheng.ledger.disclosure import check_manifest, parse_manifest
from cunzheng.ledger.errors import Conflict, MalformedInput
from cunzheng.ledger.merkle import EMPTY_ROOT
from cunzheng.schemas.fingerprints import Kind, Manifest, RecordFormat, manifest_json_schema

VECTORS = Path(__file__).parent / "vectors" / "fingerprint"
MASTER = hashlib.sha256(b"cunzheng fingerprint test vectors: master salt").digest()
TMP = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# -- Naive reference -----------------------------------------------------------


def ref_mth(leaves: Sequence[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while 2 * k < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_salt(master: bytes, i: int) -> bytes:
    return hmac.new(master, i.to_bytes(8, "big"), hashlib.sha256).digest()


def ref_digest(content: bytes, master: bytes | None, i: int) -> bytes:
    salt = b"" if master is None else ref_salt(master, i)
    return hashlib.sha256(salt + content).digest()


def ref_records_root(records: Sequence[bytes], master: bytes | None = None) -> bytes:
    leaves = [
        rfc8785.dumps({"i": i, "sha256": ref_digest(r, master, i).hex()})
        for i, r in enumerate(records)
    ]
    return ref_mth(leaves)


def ref_directory_root(files: dict[str, bytes], master: bytes | None = None) -> bytes:
    items = sorted((unicodedata.normalize("NFC", p), c) for p, c in files.items())
    leaves = []
    for i, (p, c) in enumerate(items):
        digest = hashlib.sha256(c).digest()
        if master is not None:
            digest = hashlib.sha256(ref_salt(master, i) + digest).digest()
        leaves.append(rfc8785.dumps({"path": p, "sha256": digest.hex()}))
    return ref_mth(leaves)


def ref_csv_records(text: str) -> list[bytes]:
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    return [rfc8785.dumps(row) for row in rows if row]


def materialise(top: Path, files: dict[str, bytes]) -> Path:
    top.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = top / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return top


def vector(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


# -- Leaves, salts and commitments ---------------------------------------------


@given(st.integers(0, 2**53 - 1), st.binary(min_size=32, max_size=32))
def test_record_leaf_is_canonical_json(index: int, digest: bytes) -> None:
    assert fp.record_leaf(index, digest) == rfc8785.dumps({"i": index, "sha256": digest.hex()})


@given(st.text(min_size=1), st.binary(min_size=32, max_size=32))
def test_file_leaf_is_canonical_json(path: str, digest: bytes) -> None:
    assert fp.file_leaf(path, digest) == rfc8785.dumps({"path": path, "sha256": digest.hex()})


@given(st.lists(st.text(), min_size=1))
@TMP
def test_csv_record_bytes_are_canonical_json(tmp_path: Path, row: list[str]) -> None:
    path = tmp_path / "row.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerow(row)
    assert list(fp.iter_records(path, "csv")) == [rfc8785.dumps(row)]


def test_commit_draws_a_fresh_salt_and_reproduces_with_it() -> None:
    digest, salt = fp.commit(b"yes")
    assert len(salt) == fp.SALT_SIZE
    assert digest == hashlib.sha256(salt + b"yes").digest()
    assert fp.commit(b"yes", salt) == (digest, salt)
    assert fp.commit(b"yes")[1] != salt
    with pytest.raises(MalformedInput, match="a salt has 32 bytes, not 16"):
        fp.commit(b"yes", bytes(16))


def test_item_salts_are_hmac_of_the_index() -> None:
    v = vector("records-salted.json")
    master = bytes.fromhex(v["master_salt"])
    assert master == MASTER
    assert [fp.item_salt(master, i).hex() for i in range(v["count"])] == v["item_salts"]


# -- Files -----------------------------------------------------------------------


def test_file_fingerprint_is_sha256_and_salted_is_sha256_of_salt_and_bytes(
    tmp_path: Path,
) -> None:
    content = os.urandom(3 * (1 << 20) + 17)
    path = tmp_path / "evidence.bin"
    path.write_bytes(content)
    seen: list[tuple[int, int]] = []
    plain = fp.fingerprint_file(path, progress=lambda done, total: seen.append((done, total)))
    assert plain.root == hashlib.sha256(content).digest()
    assert (plain.kind, plain.count, plain.salt) == ("file", 1, None)
    assert seen[-1] == (len(content), len(content)) and len(seen) == 4
    salted = fp.fingerprint_file(path, salt=MASTER)
    assert salted.root == fp.commit(content, MASTER)[0]
    assert fp.statement_body(plain) == {"sha256": plain.root.hex()}
    with pytest.raises(MalformedInput, match="stamped by its digest"):
        fp.dataset_body(plain)


# -- Records ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["records-small.csv", "records-small.jsonl"])
def test_record_vectors(name: str) -> None:
    v = vector(name + ".json")
    data = (VECTORS / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == v["source_sha256"], "vector file was altered"
    records = list(fp.iter_records(VECTORS / name, v["format"]))
    assert [r.decode() for r in records] == v["records"]
    got = fp.fingerprint_records(VECTORS / name, v["format"])
    assert (got.root.hex(), got.count) == (v["root"], v["count"])
    assert fp.dataset_body(got) == v["body"]
    assert ref_records_root(records) == got.root
    if v["format"] == "csv":
        assert ref_csv_records(data.decode()) == records


def test_salted_record_vector(tmp_path: Path) -> None:
    v = vector("records-salted.json")
    path = tmp_path / "votes.jsonl"
    path.write_text("\n".join(v["records"]) + "\n")
    digests: list[bytes] = []
    got = fp.fingerprint_records(path, "jsonl", salt=MASTER, on_item=lambda _, d: digests.append(d))
    assert (
        got.root.hex()
        == v["root"]
        == ref_records_root([r.encode() for r in v["records"]], MASTER).hex()
    )
    assert [d.hex() for d in digests] == v["record_sha256"]
    unsalted = fp.fingerprint_records(path, "jsonl")
    assert unsalted.root != got.root


@given(
    st.lists(st.binary().map(lambda b: b.replace(b"\n", b"").rstrip(b"\r")), max_size=40),
    st.sampled_from([b"\n", b"\r\n"]),
    st.booleans(),
    st.booleans(),
)
@TMP
def test_jsonl_root_matches_naive(
    tmp_path: Path, lines: list[bytes], newline: bytes, final_newline: bool, salted: bool
) -> None:
    path = tmp_path / "data.jsonl"
    data = newline.join(lines) + (newline if final_newline and lines else b"")
    path.write_bytes(data)
    # An unterminated empty last line is no line: "a\n" and "a\n" + "" are the same file.
    expected = lines[:-1] if lines and not final_newline and not lines[-1] else lines
    master = MASTER if salted else None
    got = fp.fingerprint_records(path, "jsonl", salt=master)
    assert (got.root, got.count) == (ref_records_root(expected, master), len(expected))


cells = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


@given(
    st.lists(st.lists(cells, min_size=1, max_size=5), max_size=30),
    # Python's writer quotes a field only for characters of its own line terminator.
    st.sampled_from([("\r\n", csv.QUOTE_MINIMAL), ("\r\n", csv.QUOTE_ALL), ("\n", csv.QUOTE_ALL)]),
    st.booleans(),
)
@TMP
def test_csv_root_matches_naive(
    tmp_path: Path, rows: list[list[str]], dialect: tuple[str, Any], bom: bool
) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=dialect[0], quoting=dialect[1]).writerows(rows)
    text = ("\ufeff" if bom else "") + buf.getvalue()
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode())
    got = fp.fingerprint_records(path, "csv")
    # csv.writer writes a row of one empty field as "", so no row here is a blank line.
    expected = [rfc8785.dumps(r) for r in rows]
    assert got.root == ref_records_root(expected) == ref_records_root(ref_csv_records(text))
    assert got.count == len(expected)


def csv_root(tmp_path: Path, data: bytes) -> fp.Fingerprint:
    path = tmp_path / "edge.csv"
    path.write_bytes(data)
    return fp.fingerprint_records(path, "csv")


def test_csv_edge_cases(tmp_path: Path) -> None:
    empty = csv_root(tmp_path, b"")
    assert (empty.root, empty.count) == (EMPTY_ROOT, 0)
    assert csv_root(tmp_path, b"\xef\xbb\xbf").count == 0
    header = csv_root(tmp_path, b"id,name\r\n")
    assert header.count == 1 and header.root == ref_records_root([b'["id","name"]'])
    lf = csv_root(tmp_path, b'id,note\n1,"a\nb"\n2,x\n')
    crlf = csv_root(tmp_path, b'id,note\r\n1,"a\nb"\r\n2,x\r\n')
    bom = csv_root(tmp_path, b'\xef\xbb\xbfid,note\r\n1,"a\nb"\r\n2,x')
    blank = csv_root(tmp_path, b'id,note\n\n1,"a\nb"\n\n\n2,x\n\n')
    assert lf.root == crlf.root == bom.root == blank.root and lf.count == 3
    # A line break inside quotes is data: CRLF there is not LF.
    assert csv_root(tmp_path, b'id,note\n1,"a\r\nb"\n2,x\n').root != lf.root
    assert csv_root(tmp_path, b'"a ""quoted"" word",b\n').root == ref_records_root(
        [rfc8785.dumps(['a "quoted" word', "b"])]
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'id,note\n1,"open quote\n', "CSV line 2: unexpected end of data"),
        (b'id,note\n1,"a"b\n', "CSV line 2: ',' expected after '\"'"),
        (
            b"id,name\n1,\xd5\xc5\xc8\xfd\n",
            "is not UTF-8 text: line 2, byte 10: invalid continuation byte",
        ),
        (b"\xef\xbb\xbfid,name\n1,\xff\n", "is not UTF-8 text: line 2, byte 13: invalid start"),
        (b"id,name\r1,old mac\r", "CSV line 1: a line ends with a bare CR"),
    ],
)
def test_malformed_csv_is_refused_with_its_line(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(MalformedInput, match=re.escape(message)):
        csv_root(tmp_path, data)


def test_jsonl_edge_cases(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"

    def root(data: bytes) -> fp.Fingerprint:
        path.write_bytes(data)
        return fp.fingerprint_records(path, "jsonl")

    assert root(b"").count == 0
    assert root(b"\n").count == 1 and root(b"\n").root == ref_records_root([b""])
    assert root(b'{"a":1}\n{"b":2}').root == root(b'{"a":1}\r\n{"b":2}\r\n').root
    assert root(b'{"a":1}\r\r\n').root == ref_records_root([b'{"a":1}\r'])


def test_read_record_returns_the_records_bytes(tmp_path: Path) -> None:
    v = vector("records-small.csv.json")
    src = VECTORS / "records-small.csv"
    assert fp.read_record(src, "csv", 3).decode() == v["records"][3]
    with pytest.raises(MalformedInput, match="has no record 6: it holds 6 records"):
        fp.read_record(src, "csv", 6)


def test_record_fingerprint_streams_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = b'{"id": %d, "payload": "' + b"x" * 200 + b'"}\n'
    with open(path, "wb") as f:
        for i in range(100_000):
            f.write(line % i)
    tracemalloc.start()
    try:
        fp.fingerprint_records(path, "jsonl")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.stat().st_size > 20_000_000
    assert peak < 2_000_000


# -- Directories -------------------------------------------------------------------


def test_directory_vector(tmp_path: Path) -> None:
    v = vector("directory-small.json")
    files = {p: c.encode() for p, c in v["files"].items()}
    top = materialise(tmp_path / "dataset", files)
    for d in v["empty_directories"]:
        (top / d).mkdir(parents=True)
    listed = fp.list_directory(top)
    assert [f.path for f in listed] == v["paths_in_order"]
    got = fp.fingerprint_directory(top)
    assert (got.root.hex(), got.count) == (v["root"], v["count"])
    assert got.root == ref_directory_root(files)
    assert fp.dataset_body(got) == v["body"]
    salted = v["salted"]
    assert bytes.fromhex(salted["master_salt"]) == MASTER
    got = fp.fingerprint_directory(top, salt=MASTER)
    assert got.root.hex() == salted["root"] == ref_directory_root(files, MASTER).hex()


names = st.text(st.sampled_from("ab.-_ é\u0301张"), min_size=1, max_size=4).filter(
    lambda s: s not in (".", "..") and unicodedata.normalize("NFC", s) == s
)


@given(
    st.dictionaries(
        st.lists(names, min_size=1, max_size=3).map("/".join), st.binary(max_size=64), max_size=12
    ),
    st.booleans(),
)
@TMP
def test_directory_root_matches_naive(
    tmp_path: Path, files: dict[str, bytes], salted: bool
) -> None:
    # A path cannot be both a file and a directory.
    paths = sorted(files)
    files = {p: c for p, c in files.items() if not any(q.startswith(p + "/") for q in paths)}
    top = tmp_path / os.urandom(6).hex()
    materialise(top, files)
    master = MASTER if salted else None
    got = fp.fingerprint_directory(top, salt=master)
    assert (got.root, got.count) == (ref_directory_root(files, master), len(files))


def test_directory_edge_cases(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "a" / "b").mkdir(parents=True)
    got = fp.fingerprint_directory(empty)
    assert (got.root, got.count) == (EMPTY_ROOT, 0)
    nested = materialise(tmp_path / "nested", {"x/y/z/deep.txt": b"deep", "top.txt": b"top"})
    assert [f.path for f in fp.list_directory(nested)] == ["top.txt", "x/y/z/deep.txt"]
    nfd = materialise(tmp_path / "nfd", {"cafe\u0301/\u5f20.txt": b"1"})
    nfc = materialise(tmp_path / "nfc", {"caf\u00e9/\u5f20.txt": b"1"})
    assert fp.list_directory(nfd)[0].path == "caf\u00e9/\u5f20.txt"
    assert fp.fingerprint_directory(nfd).root == fp.fingerprint_directory(nfc).root


def test_directory_refuses_links_special_files_and_ambiguous_names(tmp_path: Path) -> None:
    linked = materialise(tmp_path / "linked", {"a.txt": b"a"})
    (linked / "b.txt").symlink_to(linked / "a.txt")
    with pytest.raises(MalformedInput, match="b.txt is a symbolic link"):
        fp.fingerprint_directory(linked)
    piped = materialise(tmp_path / "piped", {"a.txt": b"a"})
    os.mkfifo(piped / "queue")
    with pytest.raises(MalformedInput, match="queue is not a regular file"):
        fp.fingerprint_directory(piped)
    twins = materialise(tmp_path / "twins", {"caf\u00e9": b"1", "cafe\u0301": b"2"})
    with pytest.raises(MalformedInput, match="same name once normalised to Unicode NFC"):
        fp.fingerprint_directory(twins)
    raw = tmp_path / "raw"
    raw.mkdir()
    with open(os.path.join(os.fsencode(raw), b"\xff.bin"), "wb") as f:
        f.write(b"x")
    with pytest.raises(MalformedInput, match="not valid UTF-8"):
        fp.fingerprint_directory(raw)
    with pytest.raises(MalformedInput, match="is not a directory"):
        fp.fingerprint_directory(linked / "a.txt")


def test_directory_progress_counts_every_byte(tmp_path: Path) -> None:
    top = materialise(tmp_path / "d", {"a": b"x" * (2 << 20), "b": b"y" * 10, "c/d": b""})
    seen: list[tuple[int, int]] = []
    fp.fingerprint_directory(top, progress=lambda d, t: seen.append((d, t)))
    total = (2 << 20) + 10
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# -- Format detection and manifests --------------------------------------------------


def test_detect_format(tmp_path: Path) -> None:
    assert fp.detect_format(tmp_path) == "directory"
    assert fp.detect_format(tmp_path / "a.CSV") == "csv"
    assert fp.detect_format(tmp_path / "a.ndjson") == "jsonl"
    assert fp.detect_format(tmp_path / "a.jsonl") == "jsonl"
    assert fp.detect_format(tmp_path / "a.pdf") == "file"


def write_manifest(
    out: Path,
    path: Path,
    kind: Kind,
    *,
    record_format: RecordFormat | None = None,
    salt: bytes | None = None,
) -> fp.Fingerprint:
    with fp.ManifestWriter(
        out, kind=kind, record_format=record_format, source=str(path), salt=salt
    ) as writer:
        if record_format is not None:
            got = fp.fingerprint_records(path, record_format, salt=salt, on_item=writer.item)
        elif kind == "directory":
            got = fp.fingerprint_directory(path, salt=salt, on_item=writer.item)
        else:
            got = fp.fingerprint_file(path, salt=salt)
        writer.finish(got)
    return got


@pytest.mark.parametrize("salt", [None, MASTER])
def test_manifests_are_written_incrementally_and_parse(tmp_path: Path, salt: bytes | None) -> None:
    src = VECTORS / "records-small.csv"
    out = tmp_path / "m.json"
    got = write_manifest(out, src, "records", record_format="csv", salt=salt)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.part"))
    manifest = parse_manifest(out.read_bytes())
    assert manifest.root == got.root and manifest.count == got.count == 6
    assert manifest.salt == salt and manifest.source == str(src)
    check_manifest(manifest)
    assert fp.dataset_body(manifest) == fp.dataset_body(got)

    top = materialise(tmp_path / "d", {"a": b"1", "b/c": b"2"})
    dirm = parse_manifest(
        (lambda o: (write_manifest(o, top, "directory", salt=salt), o.read_bytes())[1])(
            tmp_path / "d.json"
        )
    )
    assert [f.path for f in dirm.files or []] == ["a", "b/c"] and dirm.count == 2
    check_manifest(dirm)
    filem = tmp_path / "f.json"
    write_manifest(filem, top / "a", "file", salt=salt)
    assert parse_manifest(filem.read_bytes()).root == fp.commit(b"1", salt)[0] if salt else True


def test_an_empty_dataset_has_a_valid_manifest(tmp_path: Path) -> None:
    src = tmp_path / "empty.jsonl"
    src.write_bytes(b"")
    write_manifest(tmp_path / "m.json", src, "records", record_format="jsonl")
    manifest = parse_manifest((tmp_path / "m.json").read_bytes())
    assert manifest.records == [] and manifest.root == EMPTY_ROOT


def test_manifest_writer_never_overwrites_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    out.write_text("an earlier manifest with the only copy of a salt")
    with pytest.raises(Conflict, match="never overwritten"):
        fp.ManifestWriter(out, kind="file", record_format=None, source=None, salt=None)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b'a,"b\n')
    with pytest.raises(MalformedInput):
        write_manifest(tmp_path / "n.json", bad, "records", record_format="csv")
    assert not (tmp_path / "n.json").exists() and not list(tmp_path.glob("*.part"))


def test_manifest_schema_is_strict() -> None:
    schema = manifest_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["format"]["const"] == "cunzheng.manifest/v1"
    base = {"kind": "records", "record_format": "csv", "records": [], "count": 0}
    ok = Manifest.model_validate({**base, "root": EMPTY_ROOT.hex()})
    assert ok.count == 0
    for broken, message in [
        ({**base, "root": EMPTY_ROOT.hex(), "extra": 1}, "extra: Extra inputs"),
        ({**base, "root": EMPTY_ROOT.hex().upper()}, "root: must be 64 lowercase hex"),
        ({**base, "root": EMPTY_ROOT.hex(), "count": 1}, "count 1 does not match"),
        ({**base, "root": EMPTY_ROOT.hex(), "record_format": None}, "record_format is set"),
        ({**base, "root": EMPTY_ROOT.hex(), "files": []}, "holds no directory entries"),
    ]:
        with pytest.raises(MalformedInput, match=message):
            parse_manifest(json.dumps(broken))
