// CZ.bodies against cunzheng.ledger.bodies: the same statement bodies parse to the
// same typed values, or are refused with the same error class and message
// (tests/web/registry_bodies_cases.py makes the cases and the Python verdicts).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");

const venv = path.join(__dirname, "../../.venv/bin/python");
const python = fs.existsSync(venv) ? venv : "python3";
const cases = JSON.parse(
  execFileSync(python, [path.join(__dirname, "registry_bodies_cases.py")], { encoding: "utf8", maxBuffer: 256 << 20 }),
);
const TIMES = new Set(["until", "expires", "start", "end", "revoked_from"]);
// Where a format is not a regular expression, the message ends with the regex
// engine's own words, which differ between Python's re and JavaScript.
const ENGINE_WORDS = /(is not a regular expression): .*$/;

// Return a parsed body as the Python cases write it: bytes in hex, times in RFC 3339.
function asJson(value, key = "") {
  if (value instanceof Uint8Array) return CZ.bytes.hex(value);
  if (TIMES.has(key) && typeof value === "number") return CZ.bodies.formatTime(value);
  if (Array.isArray(value)) return value.map((v) => asJson(v));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asJson(v, k)]));
  }
  return value;
}

function verdict(type, body) {
  let parsed;
  try {
    parsed = CZ.bodies.parseBody(type, body);
  } catch (e) {
    if (!(e instanceof CZ.errors.LedgerError)) throw e;
    return { error: e.name, message: e.message.replace(ENGINE_WORDS, "$1") };
  }
  return { parsed: asJson(parsed), named_parties: parsed.namedParties.map((p) => CZ.bytes.hex(p)) };
}

test("every case parses as the Python parses it, or is refused with its message", () => {
  assert.ok(cases.length > 5000, "the case generator gives thousands of cases");
  assert.ok(cases.filter((c) => c.parsed).length > 500, "hundreds of them parse");
  for (const { type, body, ...expected } of cases) {
    if (expected.message) expected.message = expected.message.replace(ENGINE_WORDS, "$1");
    assert.deepStrictEqual(verdict(type, body), expected, `${type} ${JSON.stringify(body)}`);
  }
});

test("a body's type and model are those of its statement type", () => {
  const body = CZ.bodies.parseBody("asset.transfer", { asset: "11".repeat(32), prev: "22".repeat(32), to: "33".repeat(32) });
  assert.strictEqual(body.TYPE, "asset.transfer");
  assert.ok(body instanceof CZ.bodies.AssetEvent);
  assert.ok(Object.isFrozen(body));
  assert.throws(() => CZ.bodies.bodyAs(body, CZ.bodies.LicenceGrant), TypeError);
});
