// CZ.replay and CZ.registry against ledger.verify.replay and ledger.registry: the same
// registry histories (tests/web/registry_replay_cases.py: a scripted one that meets
// every rule, and random ones from the reference model) give, entry by entry, the same
// checks (outcome, reason, facts, detail) and the same refusal codes, and end in the
// same registry state, with the log's settings proved and not.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");

const R = CZ.registry;
const root = path.join(__dirname, "..", "..");
const venv = path.join(root, ".venv/bin/python");
const python = fs.existsSync(venv) ? venv : "python3";
const histories = JSON.parse(
  execFileSync(python, [path.join(__dirname, "registry_replay_cases.py")], { encoding: "utf8", maxBuffer: 256 << 20 }),
);

function entriesOf(history) {
  return history.entries.map((e) =>
    CZ.replay.replayEntry({
      index: e.index,
      statement: CZ.statements.parse(e.statement),
      loggedAt: CZ.statements.parseTime(e.logged_at, "logged_at"),
      proved: e.proved,
    }),
  );
}

// The signatures *statement* lacks before it is added, or the code that refuses the asking.
function missing(statement, view) {
  try {
    return R.missingSigners(statement, view).map((r) => ({
      role: r.role,
      parties: r.parties.map((p) => CZ.bytes.hex(p)),
      code: r.code,
      submitter: r.submitter,
    }));
  } catch (e) {
    if (!(e instanceof CZ.errors.RuleViolation)) throw e;
    return { refused: e.reasonCode };
  }
}

// Replay *entries* as the Python cases do: in index order, the refusal code of each,
// the signatures each lacks, and the state reached.
function codesAndState(entries, policy) {
  const view = new R.MemoryRegistry({ settings: policy ?? CZ.replay.REPLAY_POLICY });
  const codes = [];
  const lacking = [];
  for (const entry of [...entries].sort((a, b) => a.index - b.index)) {
    if (!entry.proved) {
      codes.push("skipped");
      lacking.push(null);
      continue;
    }
    lacking.push(missing(entry.statement, view));
    try {
      view.add(entry.statement, { index: entry.index, loggedAt: entry.loggedAt });
    } catch (e) {
      if (!(e instanceof CZ.errors.RuleViolation)) throw e;
      codes.push(e.reasonCode);
      continue;
    }
    codes.push(null);
    if (policy === null) view.settings = CZ.replay.REPLAY_POLICY;
  }
  return {
    codes,
    lacking,
    state: {
      parties: [...view.parties.values()].map(R.toDoc),
      keys: [...view.keys.values()].map(R.toDoc),
      objects: [...view.objects.values()].map((o) => [R.kindOfObject(o), R.toDoc(o)]),
      digests: Object.fromEntries(view.digests),
      events: Object.fromEntries(view.events),
      settings: view.settings.body(),
    },
  };
}

for (const history of histories) {
  for (const run of history.runs) {
    const policy = run.settings_proved ? R.DEFAULT_POLICY : null;
    const label = `${history.name}, settings ${run.settings_proved ? "proved" : "not proved"}`;

    test(`${label}: every entry's check is the Python replay's`, () => {
      const checks = CZ.replay.replay(entriesOf(history), { policy });
      assert.deepStrictEqual(Object.keys(run.checks).length, history.entries.length);
      for (const [index, expected] of Object.entries(run.checks)) {
        assert.deepStrictEqual(checks.get(Number(index)), expected, `entry ${index}`);
      }
    });

    test(`${label}: the rules refuse the same entries for the same reasons and reach the same state`, () => {
      const { codes, lacking, state } = codesAndState(entriesOf(history), policy);
      const indices = history.entries.map((e) => e.index).sort((a, b) => a - b);
      codes.forEach((code, i) => assert.strictEqual(code, run.codes[i], `entry ${indices[i]}`));
      lacking.forEach((needs, i) => assert.deepStrictEqual(needs, run.missing[i], `signatures entry ${indices[i]} lacks`));
      assert.deepStrictEqual(state, run.state);
    });
  }
}

test("the histories meet every reason code of the registry's rules", () => {
  const sources = fs.readdirSync(path.join(root, "ledger/registry")).filter((n) => n.endsWith(".py"));
  const text = sources.map((n) => fs.readFileSync(path.join(root, "ledger/registry", n), "utf8")).join("\n");
  const quoted = [...text.matchAll(/"((?:asset|party|key|licence|objection|settings|access)\.[a-z_]+)"/g)].map((m) => m[1]);
  // The codes of missing signatures are made from the role (signers.py): these roles can be missing.
  const signatures = ["holder", "registrar", "new_holder", "pledgee"].map((role) => `signature.missing_${role}`);
  const codes = new Set([...quoted.filter((c) => !(c in CZ.bodies.BODY_TYPES)), ...signatures]);
  const met = new Set(histories.flatMap((h) => h.runs.flatMap((r) => r.codes)));
  const unmet = [...codes].filter((c) => !met.has(c));
  assert.ok(codes.size > 40, "the reason codes are found in ledger/registry");
  assert.deepStrictEqual(unmet, []);
});
