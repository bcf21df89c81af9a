// CZ.index against cunzheng.ledger.index: the published known answers verify, and
// each mutation of a proof, value or root is refused with the Python's error
// class and message (tests/web/index_cases.py makes the cases).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");

const B = CZ.bytes;
const venv = path.join(__dirname, "../../.venv/bin/python");
const python = fs.existsSync(venv) ? venv : "python3";
const expected = JSON.parse(
  execFileSync(python, [path.join(__dirname, "index_cases.py")], { encoding: "utf8" }),
);
const vectors = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../ledger/vectors/index/known-answers.json"), "utf8"),
);

/** Return what the page makes of one case, in the form the Python cases use. */
function outcome(c) {
  const root = B.b64decode(c.root);
  try {
    const proof = CZ.index.parseProof(c.proof);
    if (c.value === null) CZ.index.verifyAbsence(root, c.key, proof);
    else CZ.index.verifyPresence(root, c.key, B.b64decode(c.value), proof);
  } catch (e) {
    if (!(e instanceof CZ.errors.LedgerError)) throw e;
    return { error: e.name, message: e.message };
  }
  return { error: null };
}

test("the cases hold valid proofs and both kinds of refusal", () => {
  const errors = new Set(expected.cases.map((c) => c.error));
  assert.deepStrictEqual([...errors].sort(), ["InvalidProof", "MalformedInput", null]);
});

for (const c of expected.cases) {
  test(`index case ${c.name}: same verdict as the Python`, () => {
    const { name, root, key, value, proof, ...want } = c;
    assert.deepStrictEqual(outcome(c), want);
  });
}

test("key paths and leaf hashes are the known answers'", () => {
  for (const vector of vectors.cases) {
    for (const item of vector.map) {
      const p = CZ.index.keyPath(item.key);
      assert.strictEqual(B.hex(p), item.path);
      const leaf = CZ.index.leafHash(p, CZ.sha256(B.utf8(item.value)));
      assert.strictEqual(B.hex(leaf), item.leaf_hash);
    }
  }
});

test("a key with a lone surrogate has no path", () => {
  assert.throws(() => CZ.index.keyPath("asset:\ud800"), CZ.errors.MalformedInput);
});

for (const c of expected.lines) {
  test(`checkpoint line ${JSON.stringify(c.line.slice(0, 24))}: read as the Python reads it`, () => {
    let got;
    try {
      const root = CZ.index.parseIndexRootLine(c.line);
      got = { error: null, root: root === null ? null : B.b64encode(root) };
    } catch (e) {
      got = { error: e.name, message: e.message };
    }
    const { line, ...want } = c;
    assert.deepStrictEqual(got, want);
  });
}

for (const [n, c] of expected.checkpoints.entries()) {
  test(`checkpoint case ${n}: its index root read as the Python reads it`, () => {
    const checkpoint = CZ.note.Checkpoint.parse(c.body);
    let got;
    try {
      const root = CZ.index.checkpointIndexRoot(checkpoint);
      got = { error: null, root: root === null ? null : B.b64encode(root) };
    } catch (e) {
      got = { error: e.name, message: e.message };
    }
    const { body, ...want } = c;
    assert.deepStrictEqual(got, want);
  });
}
