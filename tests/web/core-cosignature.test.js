// Tests of the browser verifier's cosignature part (api/web/js/06-cosignature.js)
// against ledger/cosignature.py: witness key strings, single cosignature lines
// and witness policies, each given the Python's verdict and message
// (tests/web/core_cosignature_cases.py, tests/web/core_note_cases.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");
const { python } = require("./core_python.js");

const { CosignatureVerifier, WitnessPolicy } = CZ.cosignature;

function run(script) {
  return JSON.parse(execFileSync(python, [path.join(__dirname, script)], { encoding: "utf8", maxBuffer: 64 << 20 }));
}
const cases = run("core_cosignature_cases.py");

// The Python's outcome shape: {ok: value} or {error: class name, message}; times as POSIX seconds.
async function outcome(work) {
  try {
    const result = await work();
    const seconds = (date) => date.getTime() / 1000;
    return { ok: result instanceof Date ? seconds(result) : result.map((c) => [c.name, seconds(c.time)]) };
  } catch (e) {
    if (!(e instanceof CZ.errors.LedgerError)) throw e;
    return { error: e.constructor.name, message: e.message };
  }
}

test("witness key strings parse as in ledger/cosignature.py", () => {
  for (const c of run("core_note_cases.py").keys) {
    let got;
    try {
      got = { ok: CosignatureVerifier.fromString(c.text).toString() };
    } catch (e) {
      assert.ok(e instanceof CZ.errors.MalformedInput, String(e));
      got = { error: e.constructor.name, message: e.message };
    }
    assert.deepStrictEqual(got, c.witness, c.text);
  }
});

test("single cosignature lines verify, or fail, as in ledger/cosignature.py", async () => {
  for (const c of cases.lines) {
    const verifier = CosignatureVerifier.fromString(c.verifier);
    const got = await outcome(() => CZ.cosignature.verifyCosignature(c.note, c.line, verifier));
    assert.deepStrictEqual(got, c.verdict, c.name);
  }
});

test("witness policies count cosignatures as ledger/cosignature.py does", async () => {
  assert.ok(cases.policies.length > 100);
  for (const c of cases.policies) {
    const got = await outcome(async () => {
      const witnesses = c.witnesses.map((w) => CosignatureVerifier.fromString(w));
      return new WitnessPolicy(witnesses, c.threshold).check(c.note);
    });
    assert.deepStrictEqual(got, c.verdict, c.name);
  }
});

test("the signed message and the checkpoint body are the Python's", () => {
  const root = CZ.bytes.b64encode(new Uint8Array(32));
  const body = `log\n5\n${root}\n`;
  assert.strictEqual(CZ.cosignature.checkpointBody(`${body}\n— log AAAAAAA=\n`), body);
  assert.strictEqual(CZ.cosignature.checkpointBody(body), body);
  assert.strictEqual(CZ.bytes.text(CZ.cosignature.signedMessage(body, 7n)), `cosignature/v1\ntime 7\n${body}`);
  assert.throws(() => new WitnessPolicy([], 1), CZ.errors.MalformedInput);
  assert.throws(() => CZ.cosignature.parseLine("— a AAAAAAA=\nx"), { message: "a signature line may not contain a newline" });
});
