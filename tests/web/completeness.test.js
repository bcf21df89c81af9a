// The completeness and settings checks of the browser verifier against those of `cunzheng verify`.
//
// Every bundle comes from tests/web/claims_bundles.py (real logs, genuine and
// altered answers); CZ.completeness.checkCompleteness and
// CZ.settingsCheck.checkSettings must give the very check objects
// ledger/verify/completeness.py and settings.py give for the same inputs.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const CZ = require("./load.js");
const { generate, caseNamed, inputs, assertSameCheck } = require("./claims_fixture.js");

async function completenessOf(kase) {
  const i = await inputs(kase);
  return i.claim === null ? null : CZ.completeness.checkCompleteness(i.claim, i.index, i.cp, i.registry);
}

async function settingsOf(kase) {
  const i = await inputs(kase);
  return CZ.settingsCheck.checkSettings(i.settingsProofs, i.cp, i.settings, {
    needed: i.needed,
    required: i.claim !== null,
  });
}

test("every case's completeness check is the one cunzheng verify makes", async () => {
  for (const kase of generate().cases) {
    assertSameCheck(await completenessOf(kase), kase.checks.completeness, kase.name);
  }
});

test("every case's settings check is the one cunzheng verify makes", async () => {
  for (const kase of generate().cases) {
    assertSameCheck(await settingsOf(kase), kase.checks.settings, kase.name);
  }
});

test("the altered bundles fail for the reason they were altered", async () => {
  const expected = {
    history: "completeness.proved",
    "hidden pledge": "completeness.missing_event",
    "omitted entry": "completeness.missing_event",
    "changed index value": "completeness.index_proof",
    "index value made absent": "completeness.index_proof",
    "index proofs dropped": "completeness.key_missing",
    "claim out of order": "completeness.order",
    "extra registry entry": "completeness.extra_event",
    "broken signature": "completeness.missing_event",
    "broken checkpoint": "checkpoint.unusable",
    "index line dropped": "completeness.no_index",
    "fingerprint none": "completeness.proved",
    "entry the claim does not name": "completeness.missing_event",
    "objection dropped": "completeness.missing_event",
  };
  for (const [name, reason] of Object.entries(expected)) {
    assert.equal((await completenessOf(caseNamed(name))).reason, reason, name);
  }
  const settings = {
    "settings history": "settings.proved",
    "settings entry dropped": "settings.missing_entry",
    "settings document emptied": "settings.index_proof",
    "settings proof dropped": "settings.not_proved",
    "settings plain without entry": "settings.missing_entry",
    "settings entry slipped in": "settings.extra_entry",
  };
  for (const [name, reason] of Object.entries(settings)) {
    assert.equal((await settingsOf(caseNamed(name))).reason, reason, name);
  }
  assert.equal(await settingsOf(caseNamed("fingerprint none")), null);
});

test("a hidden pledge is named by its index", async () => {
  const kase = caseNamed("hidden pledge");
  const check = await completenessOf(kase);
  const hidden = kase.bundle.index.find((p) => p.key.startsWith("asset:")).value.events.at(-1);
  assert.equal(check.facts.missing, String(hidden));
  assert.equal(check.detail, `the index lists entries [${hidden}]; the bundle or its claim lacks them`);
});

test("an asset document's events must be increasing non-negative integers", () => {
  const { assetEvents } = CZ.completeness;
  assert.deepEqual(assetEvents("asset:x", null), []);
  assert.deepEqual(assetEvents("asset:x", { events: [0, 3, 9] }), [0, 3, 9]);
  for (const doc of [{}, { events: [3, 3] }, { events: [4, 2] }, { events: [-1] }, { events: [true] }, { events: "1" }]) {
    assert.throws(() => assetEvents("asset:x", doc), {
      name: "MalformedInput",
      message: "the index document of asset:x does not list events in log order",
    });
  }
});

test("the assets an answer rests on are read from its documents, once each", () => {
  const { answerKeys, listedAssets } = CZ.completeness;
  const [a, b, p] = ["aa", "bb", "cc"].map((s) => s.repeat(32));
  const portfolio = { kind: "portfolio", party: p };
  assert.deepEqual(answerKeys(portfolio), [`holder:${p}`, `licensee:${p}`, `pledgee:${p}`]);
  const docs = new Map([
    [`holder:${p}`, { assets: [a] }],
    [`licensee:${p}`, null],
    [`pledgee:${p}`, { assets: [b, a] }],
  ]);
  assert.deepEqual(listedAssets(portfolio, docs), [a, b]);
  const certificate = { kind: "certificate", certificate: "N1" };
  assert.deepEqual(listedAssets(certificate, new Map([["certificate:N1", { asset: b }]])), [b]);
  assert.throws(() => listedAssets(certificate, new Map([["certificate:N1", { assets: [b] }]])), {
    message: "the index document of certificate:N1 does not list asset ids",
  });
  assert.deepEqual(listedAssets({ kind: "history", asset: a }, new Map()), [a]);
});
