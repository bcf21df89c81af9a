// The browser verifier against `cunzheng verify`, case by case over the corpus (tests/web/corpus.py).
//
// The corpus is built once into a temporary directory by the Python that
// builds it; each bundle case then runs CZ.verifyBundle with what the CLI was
// given (the log key, the presented files hashed here, the disclosures, the
// TSA roots, the witnesses) and must give the CLI's verdict, the same checks
// (check, subject, outcome, reason, required) in the same order, and the same
// findings (index, type, established), with the same facts. Each receipt case runs
// CZ.verifyReceipt and must give the CLI's verdict, and all its facts when it
// verifies.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");
const { python } = require("./core_python.js");

const repo = path.join(__dirname, "..", "..");
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cz-corpus-"));
execFileSync(python, [path.join(__dirname, "corpus.py"), outdir], { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
const cases = JSON.parse(fs.readFileSync(path.join(outdir, "cases.json"), "utf8"));
test.after(() => fs.rmSync(outdir, { recursive: true, force: true }));

const read = (dir, name) => new Uint8Array(fs.readFileSync(path.join(outdir, dir, name)));
const sha256 = (bytes) => new Uint8Array(crypto.createHash("sha256").update(bytes).digest());

/** Return the options CZ.verifyBundle takes for a case: the CLI's inputs, files hashed here. */
function bundleOptions(c) {
  const o = c.options;
  return {
    logKey: o.log_key,
    files: Object.fromEntries(o.files.map((name) => [name, sha256(read(c.name, name))])),
    disclosures: o.disclosures.map((name) => [name, read(c.name, name)]),
    tsaRoots: o.tsa_roots.map((name) => read(c.name, name)),
    witnesses: o.witnesses,
  };
}

const checkRows = (report) => report.checks.map((x) => [x.check, x.subject, x.outcome, x.reason, x.required]);
const findingRows = (report) => report.findings.map((f) => [f.index, f.type, f.established]);
// The facts too: the page words each check and finding from them.
const facts = (report) => [report.log, ...report.checks.map((x) => x.facts), ...report.findings.map((f) => [f.facts, f.files, f.items])];

test("the corpus holds genuine and refused bundles and receipts", () => {
  assert.ok(cases.length >= 36, `${cases.length} cases`);
  for (const kind of ["bundle", "receipt"]) {
    assert.ok(cases.some((c) => c.kind === kind && c.expected.ok), `a genuine ${kind}`);
    assert.ok(cases.some((c) => c.kind === kind && !c.expected.ok), `a refused ${kind}`);
  }
});

for (const c of cases.filter((x) => x.kind === "bundle")) {
  test(`bundle ${c.name}: the CLI's verdict, checks and findings`, async () => {
    const report = await CZ.verifyBundle(read(c.name, "bundle.json"), bundleOptions(c));
    assert.deepStrictEqual(checkRows(report), checkRows(c.expected));
    assert.deepStrictEqual(findingRows(report), findingRows(c.expected));
    assert.deepStrictEqual(facts(report), facts(c.expected));
    assert.strictEqual(report.ok, c.expected.ok);
  });
}

for (const c of cases.filter((x) => x.kind === "receipt")) {
  test(`receipt ${c.name}: the CLI's verdict and facts`, async () => {
    const file = c.options.files[0];
    const outcome = await CZ.verifyReceipt(read(c.name, "receipt.json"), {
      logKey: c.options.log_key,
      contentSha256: sha256(read(c.name, file)),
      fileName: file,
      tsaRoots: c.options.tsa_roots.map((name) => read(c.name, name)),
    });
    assert.strictEqual(outcome.ok, c.expected.ok, outcome.reason);
    if (c.expected.ok) assert.deepStrictEqual(outcome, c.expected);
  });
}
