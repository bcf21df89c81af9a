// Tests of CZ.Sha256's WebAssembly compression function (api/web/wasm/sha256.wat,
// carried by api/web/js/02-sha256-0-wasm.js): the committed module is the .wat
// as assembled, and its digests equal node:crypto's and the plain JavaScript's,
// on random inputs of many lengths fed in random pieces.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const crypto = require("node:crypto");
const fs = require("node:fs");
const CZ = require("./load.js");
const { assemble, PART } = require("../../api/web/wasm/build.js");

/** A generator of repeatable pseudo-random integers in [0, n) (xorshift32). */
function randoms(seed) {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

/** Return the hex SHA-256 of *data* fed to a CZ.Sha256 in pieces of random sizes. */
function pieces(data, random, options) {
  const hash = new CZ.Sha256(options);
  for (let at = 0; at < data.length; ) {
    const next = Math.min(data.length, at + random(Math.max(2, data.length / 3)) + 1);
    hash.update(data.subarray(at, next));
    at = next;
  }
  return CZ.bytes.hex(hash.digest());
}

const expected = (data) => crypto.createHash("sha256").update(data).digest("hex");

test("the committed module is sha256.wat as assembled", async () => {
  assert.strictEqual(fs.readFileSync(PART, "utf8"), await assemble(), "run node api/web/wasm/build.js");
});

test("CZ.Sha256 compresses with WebAssembly where it is available", () => {
  assert.strictEqual(CZ.Sha256.WASM, true);
  assert.notStrictEqual(new CZ.Sha256().compress, new CZ.Sha256({ plain: true }).compress);
});

test("digests equal node:crypto's for every length 0..200 and about block boundaries", () => {
  const random = randoms(1);
  const lengths = [];
  for (let n = 0; n <= 200; n++) lengths.push(n);
  for (const blocks of [4, 15, 16, 17, 1000]) for (const d of [-9, -8, -1, 0, 1, 55, 56]) lengths.push(64 * blocks + d);
  for (const n of lengths) {
    const data = crypto.randomBytes(n);
    assert.strictEqual(CZ.bytes.hex(CZ.sha256(data)), expected(data), `length ${n}, whole`);
    assert.strictEqual(pieces(data, random), expected(data), `length ${n}, in pieces`);
    assert.strictEqual(pieces(data, random, { plain: true }), expected(data), `length ${n}, plain`);
  }
});

test("digests equal node:crypto's for inputs over the module's 1 MiB of input memory", () => {
  const random = randoms(2);
  for (const n of [1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 123, 8 * (1 << 20) - 64]) {
    const data = crypto.randomBytes(n);
    assert.strictEqual(CZ.bytes.hex(CZ.sha256(data)), expected(data), `length ${n}, whole`);
    assert.strictEqual(pieces(data, random), expected(data), `length ${n}, in pieces`);
  }
});

test("hashes in turn keep their own states", () => {
  const [one, two] = [crypto.randomBytes(5000), crypto.randomBytes(7000)];
  const [a, b] = [new CZ.Sha256(), new CZ.Sha256()];
  for (let at = 0; at < 7000; at += 1000) {
    a.update(one.subarray(at, at + 1000));
    b.update(two.subarray(at, at + 1000));
  }
  assert.strictEqual(CZ.bytes.hex(a.digest()), expected(one));
  assert.strictEqual(CZ.bytes.hex(b.digest()), expected(two));
});
