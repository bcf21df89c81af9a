// The court-answer bundles of tests/web/claims_bundles.py, and the inputs the verifier gives the claim checks.
//
// Runs the Python generator once per test process and hands each case to the
// tests with what ledger/verify/verifier.py passes to check_settings,
// check_completeness and check_claim: the opened bundle checkpoint, the
// registry and settings entries with whether each was proved, and the index
// proofs.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const assert = require("node:assert/strict");
const CZ = require("./load.js");

const VENV_PYTHON = path.join(__dirname, "..", "..", ".venv", "bin", "python");
const PYTHON = fs.existsSync(VENV_PYTHON) ? VENV_PYTHON : "python3";

let generated = null;

/**
 * Return {cases, logs} as tests/web/claims_bundles.py prints them, generated
 * once; each case's bundle parsed, its text kept as `text`.
 */
function generate() {
  if (generated === null) {
    const out = execFileSync(PYTHON, [path.join(__dirname, "claims_bundles.py")], {
      maxBuffer: 256 * 1024 * 1024,
    });
    generated = JSON.parse(out.toString("utf8"));
    // As the verifier reads a bundle: floats and integers beyond 2^53 kept apart from integers.
    for (const kase of generated.cases) {
      kase.text = kase.bundle;
      kase.bundle = CZ.canonical.parse(kase.text, "bundle");
    }
  }
  return generated;
}

/** Return the case named *name*. */
function caseNamed(name) {
  const found = generate().cases.find((c) => c.name === name);
  if (!found) throw new Error(`no case ${name}`);
  return found;
}

/** Resolve to what the verifier gives the claim checks for *kase*, as verifier.py computes it. */
async function inputs(kase) {
  const bundle = kase.bundle;
  const proved = (index) => kase.proved[String(index)] === true;
  const byRole = (role) =>
    new Map(bundle.entries.filter((e) => e.role === role).map((e) => [e.index, proved(e.index)]));
  const claim = bundle.claim === undefined ? null : bundle.claim;
  const index = bundle.index || [];
  const settingsKey = CZ.indexEntries.SETTINGS_KEY;
  return {
    claim,
    index,
    cp: kase.cp_ok ? await openCheckpoint(bundle) : null,
    registry: byRole("registry"),
    settings: byRole("settings"),
    settingsProofs: claim === null ? index : index.filter((p) => p.key === settingsKey),
    needed: bundle.entries.some((e) => e.role === "party" || e.role === "registry"),
    replayed: bundle.entries.map((e) =>
      CZ.replay.replayEntry({
        index: e.index,
        statement: CZ.statements.parse(e.statement),
        loggedAt: CZ.statements.parseTime(e.logged_at, "logged_at"),
        proved: proved(e.index),
      }),
    ),
  };
}

/** Resolve to the bundle checkpoint of *bundle*, opened with the log key the bundle names. */
async function openCheckpoint(bundle) {
  const key = CZ.note.Verifier.fromString(bundle.log.verifier_key);
  return (await CZ.note.openCheckpoint(bundle.checkpoint, key)).checkpoint;
}

/** Assert that check *actual* is *expected*, facts in the same order (the order a report lists them). */
function assertSameCheck(actual, expected, name) {
  assert.deepEqual(actual, expected, name);
  if (actual !== null) assert.deepEqual(Object.keys(actual.facts), Object.keys(expected.facts), name);
}

module.exports = { PYTHON, generate, caseNamed, inputs, assertSameCheck };
