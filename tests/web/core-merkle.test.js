// Tests of the browser verifier's Merkle part (api/web/js/04-merkle.js)
// against ledger/merkle.py: the RFC 6962 reference tree, every
// transparency-dev probe, and proofs over trees of up to 2^40 leaves, genuine
// and with a bit flipped, each given the Python's verdict and message.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");
const { python } = require("./core_python.js");

const { fromHex, hex, utf8 } = CZ.bytes;
const { InvalidProof } = CZ.errors;

function verdictOf(check) {
  try {
    check();
  } catch (e) {
    if (e instanceof InvalidProof) return `InvalidProof: ${e.message}`;
    throw e;
  }
  return "ok";
}

test("leaf and node hashes and roots of the RFC 6962 reference tree", () => {
  const file = path.join(__dirname, "..", "ledger", "vectors", "merkle", "rfc6962-reference-tree.json");
  const vectors = JSON.parse(fs.readFileSync(file, "utf8"));
  const leafHashes = vectors.leaves.map((leaf) => CZ.merkle.leafHash(fromHex(leaf)));
  for (const [size, root] of Object.entries(vectors.roots)) {
    assert.strictEqual(hex(CZ.merkle.rootFromLeafHashes(leafHashes.slice(0, Number(size)))), root, `size ${size}`);
  }
  assert.strictEqual(hex(CZ.merkle.EMPTY_ROOT), vectors.roots["0"]);
  for (const { index, size, proof } of vectors.inclusion) {
    const root = fromHex(vectors.roots[size]);
    CZ.merkle.verifyInclusion(index, size, leafHashes[index], proof.map(fromHex), root);
  }
  assert.strictEqual(
    hex(CZ.merkle.nodeHash(leafHashes[0], leafHashes[1])),
    vectors.roots["2"],
  );
});

test("every verdict and message matches ledger/merkle.py", () => {
  const script = path.join(__dirname, "core_merkle_cases.py");
  // Read with CZ.canonical.parse: probe indexes beyond 2^53 come back as BigInts.
  const cases = CZ.canonical.parse(execFileSync(python, [script], { encoding: "utf8", maxBuffer: 64 << 20 }));
  assert.ok(cases.length > 600);
  for (const c of cases) {
    const proof = c.proof.map(fromHex);
    const got =
      c.kind === "inclusion"
        ? verdictOf(() => CZ.merkle.verifyInclusion(c.index, c.size, fromHex(c.leafHash), proof, fromHex(c.root)))
        : verdictOf(() =>
            CZ.merkle.verifyConsistency(c.size1, c.size2, proof, fromHex(c.root1), fromHex(c.root2)),
          );
    assert.strictEqual(got, c.verdict, c.name || JSON.stringify(c).slice(0, 200));
  }
});

test("sizes may be BigInts, and non-integers are refused", () => {
  const leaf = CZ.merkle.leafHash(utf8("x"));
  CZ.merkle.verifyInclusion(0n, 1n, leaf, [], leaf);
  assert.throws(() => CZ.merkle.verifyInclusion(0.5, 1, leaf, [], leaf), CZ.errors.MalformedInput);
  assert.throws(() => CZ.merkle.rootFromLeafHashes([new Uint8Array(31)]), CZ.errors.MalformedInput);
});
