// The browser's narrative of a bundle against narrative_json of `cunzheng verify`.
//
// The bundles come from tests/ledger/test_narrative_world.py (a real log: an
// asset applied for, registered, licensed, pledged, released and transferred,
// evidence stamped, the platform's facts declared, a court's licensed
// question answered; one bundle altered after signing; and evidence
// time-stamped by a TSA and cosigned by two witnesses). CZ.narrative.build must give exactly Python's narrative,
// from Python's report and from the report the browser's own verifier makes.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const CZ = require("./load.js");

const ROOT = path.join(__dirname, "..", "..");
const VENV_PYTHON = path.join(ROOT, ".venv", "bin", "python");
const PYTHON = fs.existsSync(VENV_PYTHON) ? VENV_PYTHON : "python3";

let generated = null;

/** Return the cases the Python prints: bundle text, log key, files' digests, report JSON, narrative. */
function cases() {
  if (generated === null) {
    const out = execFileSync(PYTHON, ["-m", "tests.ledger.test_narrative_world"], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    generated = JSON.parse(out.toString("utf8"));
  }
  return generated;
}

const bundleOf = (kase) => CZ.canonical.parse(kase.bundle, "bundle");

test("the narrative from Python's report is Python's narrative", () => {
  const all = cases();
  assert.deepEqual(
    all.map((k) => k.name),
    ["whole story", "licence", "licensed answer", "altered registration", "time-stamped"],
  );
  for (const kase of all) {
    assert.deepStrictEqual(CZ.narrative.build(bundleOf(kase), kase.report), kase.narrative, kase.name);
  }
});

test("the narrative from the browser's own report is Python's narrative", async () => {
  for (const kase of cases()) {
    const files = Object.fromEntries(Object.entries(kase.files).map(([n, d]) => [n, CZ.bytes.fromHex(d)]));
    const tsaRoots = kase.tsa_roots.map((pem) => CZ.bytes.utf8(pem));
    const options = { logKey: kase.log_key, files, tsaRoots, witnesses: kase.witnesses };
    const report = await CZ.verifyBundle(kase.bundle, options);
    assert.deepStrictEqual(CZ.narrative.build(bundleOf(kase), report), kase.narrative, kase.name);
  }
});

test("an altered registration leaves its party unproved, and the others as they were", () => {
  const kase = cases().find((k) => k.name === "altered registration");
  const told = CZ.narrative.build(bundleOf(kase), kase.report);
  const byName = Object.fromEntries(told.parties.map((p) => [p.name, p]));
  assert.equal(byName["Seller Ltd"].status, "unproved");
  assert.equal(byName["Shanghai Data Exchange"].status, "verified");
});

test("every signer of a transfer is named in its role", () => {
  const told = CZ.narrative.build(bundleOf(cases()[0]), cases()[0].report);
  const names = Object.fromEntries(told.parties.map((p) => [p.id, p.name]));
  const transfer = told.events.find((e) => e.type === "asset.transfer");
  assert.deepEqual(
    transfer.signers.map((s) => [names[s.party], s.role, s.signed]),
    [
      ["数据持有有限公司", "holder", "signer"],
      ...transfer.signers.slice(1).map((s) => [names[s.party], s.role, "cosigner"]),
    ],
  );
  assert.deepEqual(transfer.signers.map((s) => s.role).sort(), ["holder", "new_holder", "registrar"]);
});

test("time-stamped evidence has its own TSA and witness times", () => {
  const kase = cases().find((k) => k.name === "time-stamped");
  const told = CZ.narrative.build(bundleOf(kase), kase.report);
  assert.equal(told.evidence.length, 2);
  for (const entry of told.evidence) {
    assert.equal(entry.times.bound, "entry");
    assert.ok(entry.times.tsa.time.utc > entry.logged_at.utc);
    assert.equal(entry.times.witness.by, "witness.example/w1, witness.example/w2");
  }
});

test("times are written in Beijing time with UTC beside, as Python writes them", () => {
  const cases = [
    ["2026-11-30T02:00:00.000000Z", "zh", "2026-11-30 10:00:00 (北京时间) / 2026-11-30 02:00:00 UTC"],
    ["2026-12-31T20:30:00.250000Z", "zh", "2027-01-01 04:30:00.25 (北京时间) / 2026-12-31 20:30:00.25 UTC"],
    ["2028-02-28T16:00:00Z", "en", "2028-02-29 00:00:00 (Beijing time) / 2028-02-28 16:00:00 UTC"],
    ["not a time", "zh", "not a time"],
  ];
  for (const [utc, lang, shown] of cases) assert.equal(CZ.narrative.dualTime(utc, lang), shown);
  assert.equal(CZ.narrative.bodyTime("2026-01-05T09:00:00Z").utc, "2026-01-05T09:00:00.000000Z");
});
