// The claim check of the browser verifier against that of `cunzheng verify`.
//
// Every bundle comes from tests/web/claims_bundles.py (real logs; every kind
// of question; answers hidden, rewritten, left unprovable);
// CZ.claims.checkClaim must give the very check object
// ledger/verify/claims.py gives for the same bundle: reason, facts (the
// recomputed answer, parties by name) and detail.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const CZ = require("./load.js");
const { execFileSync } = require("node:child_process");
const { PYTHON, generate, caseNamed, inputs, assertSameCheck } = require("./claims_fixture.js");

async function claimOf(kase) {
  const i = await inputs(kase);
  if (i.claim === null) return null;
  return CZ.claims.checkClaim(i.claim, i.replayed, [...i.registry.keys()]);
}

test("every case's claim check is the one cunzheng verify makes", async () => {
  for (const kase of generate().cases) {
    assertSameCheck(await claimOf(kase), kase.checks.claim, kase.name);
  }
});

test("each kind of question is confirmed with its answer in the facts", async () => {
  const genuine = [
    ...["history", "holder before", "holder now", "licensed", "licensed elsewhere", "portfolio"],
    ...["portfolio then", "portfolio of nobody", "fingerprint", "fingerprint none", "certificate", "certificate none"],
  ];
  const kinds = new Set();
  for (const name of genuine) {
    const check = await claimOf(caseNamed(name));
    assert.equal(check.reason, "claim.confirmed", name);
    kinds.add(check.facts.kind);
  }
  assert.deepEqual([...kinds].sort(), ["certificate", "fingerprint", "history", "holder", "licensed", "portfolio"]);
  const history = (await claimOf(caseNamed("history"))).facts;
  assert.equal(history.holder_name, "Buyer Ltd");
  assert.equal(history.registrar_name, "Shanghai Data Exchange");
  assert.equal((await claimOf(caseNamed("fingerprint none"))).facts.found, 0);
  assert.equal((await claimOf(caseNamed("objection upheld"))).facts.status, "suspended");
  assert.equal((await claimOf(caseNamed("licence in force"))).facts.found, 1);
  assert.equal((await claimOf(caseNamed("licence ended"))).facts.found, 0);
});

test("an altered answer or bundle is refused for the reason it was altered", async () => {
  const expected = {
    "hidden pledge": "claim.contradicted",
    "omitted entry": "claim.omitted",
    "broken chain": "claim.chain_broken",
    "changed answer": "claim.contradicted",
    "portfolio answer changed": "claim.contradicted",
    "broken signature": "claim.unprovable",
    "extra registry entry": "claim.confirmed",
    "entry the claim does not name": "claim.unprovable",
    "objection dropped": "claim.chain_broken",
  };
  for (const [name, reason] of Object.entries(expected)) {
    assert.equal((await claimOf(caseNamed(name))).reason, reason, name);
  }
  const changed = await claimOf(caseNamed("changed answer"));
  assert.match(changed.detail, /^claimed \{.*"status":"revoked".*\}; the entries give \{.*"status":"registered".*\}$/);
});

test("answers are written as the API writes them", () => {
  const { answerJson } = CZ.claims;
  assert.equal(answerJson(Uint8Array.of(0, 171)), "00ab");
  assert.deepEqual(answerJson({ holds: [Uint8Array.of(1)], n: 2, none: null }), { holds: ["01"], n: 2, none: null });
});

test("the question's parameters are the facts, in the question's own order", () => {
  const question = { at: "2026-01-05T09:00:00.000000Z", asset: "ab".repeat(32), kind: "holder" };
  assert.deepEqual(Object.keys(CZ.claims.questionFacts(question)), ["kind", "asset", "at"]);
});

test("a claimed answer canonical JSON cannot hold is written as Python's repr writes it", () => {
  const texts = ["1.5", "2.0", "1e-05", "1e16", "1.5e16", "0.0001", "123456.789", "1e22", "-2.5e-7", "0.1"];
  texts.push("12345678901234567.0", "-0.0");
  const doc = `{"a": [${texts.join(", ")}], "b\\u00e9": [true, null, "it's", 18446744073709551615]}`;
  const script = "import json, sys; print(repr(json.loads(sys.argv[1])))";
  const python = execFileSync(PYTHON, ["-c", script, doc]);
  assert.equal(CZ.claims.pyRepr(CZ.canonical.parse(doc)), python.toString("utf8").trim());
});

test("the whole verifier reports the same settings, completeness and claim checks", async () => {
  // report_json writes a fact's gap ("—" or "?") as null.
  const gap = (v) => v === "—" || v === "?";
  const asJson = (check) =>
    check && { ...check, facts: Object.fromEntries(Object.entries(check.facts).map(([k, v]) => [k, gap(v) ? null : v])) };
  for (const kase of generate().cases) {
    const report = await CZ.verifyBundle(kase.text);
    for (const kind of ["settings", "completeness", "claim"]) {
      const found = report.checks.find((c) => c.check === kind);
      const actual = found === undefined ? null : (({ text, ...rest }) => rest)(found);
      assert.deepEqual(actual, asJson(kase.checks[kind]), `${kase.name}: ${kind}`);
    }
  }
});
