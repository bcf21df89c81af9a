// CZ.disclosure and CZ.fingerprint against cunzheng.ledger.disclosure and
// cunzheng.ledger.fingerprint: the published vectors (tests/ledger/vectors/fingerprint)
// give the same roots, and every disclosure case (tests/web/disclosure_cases.py)
// gives the Python's item, or its error class and message.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");

const B = CZ.bytes;
const FP = CZ.fingerprint;
const vectorDir = path.join(__dirname, "../ledger/vectors/fingerprint");
const vector = (name) => JSON.parse(fs.readFileSync(path.join(vectorDir, name), "utf8"));
const venv = path.join(__dirname, "../../.venv/bin/python");
const python = fs.existsSync(venv) ? venv : "python3";
const expected = JSON.parse(
  execFileSync(python, [path.join(__dirname, "disclosure_cases.py")], { encoding: "utf8" }),
);
// Messages the JSON parser writes in its own words (CZ.canonical): the class and the
// opening must agree, the parser's detail may differ.
const PARSER_WORDED = ["disclosure is not valid JSON", "disclosure names the key"];

/** Return what the page makes of one case, in the form the Python cases use. */
function outcome(c) {
  let item;
  try {
    item = CZ.disclosure.verifyDisclosure(B.utf8(c.text), B.fromHex(c.root), c.count);
  } catch (e) {
    if (!(e instanceof CZ.errors.LedgerError)) throw e;
    return { error: e.name, message: e.message };
  }
  const hexOrNull = (u8) => (u8 === null ? null : B.hex(u8));
  return {
    error: null,
    item: {
      scheme: item.scheme,
      index: Number(item.index),
      size: Number(item.size),
      root: B.hex(item.root),
      sha256: B.hex(item.sha256),
      salt: hexOrNull(item.salt),
      record: hexOrNull(item.record),
      path: item.path,
      describe: item.describe(),
    },
  };
}

test("the cases hold valid disclosures and both kinds of refusal", () => {
  const errors = new Set(expected.cases.map((c) => c.error));
  assert.deepStrictEqual([...errors].sort(), ["InvalidProof", "MalformedInput", null]);
});

for (const c of expected.cases) {
  test(`disclosure case ${c.name}: same verdict as the Python`, () => {
    const { name, text, root, count, ...want } = c;
    const got = outcome(c);
    const opening = PARSER_WORDED.find((p) => want.message !== undefined && want.message.startsWith(p));
    if (opening !== undefined) {
      assert.strictEqual(got.error, want.error);
      assert.ok(got.message.startsWith(opening), got.message);
    } else {
      assert.deepStrictEqual(got, want);
    }
  });
}

test("JSON Lines records and their roots are the vector's", () => {
  const v = vector("records-small.jsonl.json");
  const data = new Uint8Array(fs.readFileSync(path.join(vectorDir, v.source)));
  assert.strictEqual(B.hex(CZ.sha256(data)), v.source_sha256);
  const records = FP.jsonlRecords(data);
  assert.deepStrictEqual(records.map((r) => B.text(r)), v.records);
  assert.deepStrictEqual(records.map((r) => B.hex(FP.recordDigest(r, null))), v.record_sha256);
  assert.strictEqual(B.hex(FP.recordsRoot(records)), v.root);
});

test("JSON Lines: CRLF ends a line, a lone CR does not, no final line break is a last line", () => {
  const lines = FP.jsonlRecords(B.utf8("a\r\n\nb\rc\r"));
  assert.deepStrictEqual(lines.map((r) => B.text(r)), ["a", "", "b\rc\r"]);
  assert.deepStrictEqual(FP.jsonlRecords(B.utf8("")), []);
  assert.deepStrictEqual(FP.jsonlRecords(B.utf8("x\n")).map((r) => B.text(r)), ["x"]);
});

test("CSV records (as parsed in the vector) give the vector's root", () => {
  const v = vector("records-small.csv.json");
  assert.strictEqual(B.hex(FP.recordsRoot(v.records.map((r) => B.utf8(r)))), v.root);
});

test("salted records: item salts, digests and root are the vector's", () => {
  const v = vector("records-salted.json");
  const master = B.fromHex(v.master_salt);
  assert.deepStrictEqual(v.records.map((_, i) => B.hex(FP.itemSalt(master, i))), v.item_salts);
  const digests = v.records.map((r, i) => B.hex(FP.recordDigest(B.utf8(r), FP.itemSalt(master, i))));
  assert.deepStrictEqual(digests, v.record_sha256);
  assert.strictEqual(B.hex(FP.recordsRoot(v.records.map((r) => B.utf8(r)), master)), v.root);
  assert.notStrictEqual(B.hex(FP.recordsRoot(v.records.map((r) => B.utf8(r)))), v.root);
  assert.throws(() => FP.itemSalt(master.subarray(1), 0), CZ.errors.MalformedInput);
});

test("a directory's root, plain and salted, is the vector's", () => {
  const v = vector("directory-small.json");
  const files = v.paths_in_order.map((p, i) => ({ path: p, sha256: B.fromHex(v.file_sha256[i]) }));
  assert.strictEqual(B.hex(FP.directoryRoot(files)), v.root);
  const master = B.fromHex(v.salted.master_salt);
  assert.strictEqual(B.hex(FP.directoryRoot(files, master)), v.salted.root);
});

test("a disclosure parses into its fields, proof hashes as bytes", () => {
  const v = vector("disclosure-salted-record.json");
  const d = CZ.disclosure.parseDisclosure(JSON.stringify(v.disclosure));
  assert.strictEqual(d.scheme, "records");
  assert.strictEqual(B.hex(d.salt), v.disclosure.salt);
  assert.deepStrictEqual(d.inclusionProof.map(B.hex), v.disclosure.inclusion_proof);
});
