// The index documents the browser verifier derives from a log's entries against those the log keeps.
//
// Each log of tests/web/claims_bundles.py is replayed leaf by leaf through
// CZ.registry's MemoryRegistry and CZ.indexEntries; the keys and documents
// must be exactly those the log's own index holds (ledger/index/entries.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const CZ = require("./load.js");
const { generate } = require("./claims_fixture.js");

const B = CZ.bytes;

// Return the registry state and the index changes of every leaf of *log*, in one pass or one per leaf.
function replayLog(log, { oneByOne }) {
  const view = new CZ.registry.MemoryRegistry();
  const stored = new Map();
  const lookup = (key) => stored.get(key) ?? null;
  const batch = new CZ.indexEntries.IndexChanges(lookup);
  log.leaves.forEach((leaf, index) => {
    const statement = CZ.statements.parse(leaf.statement);
    const loggedAt = CZ.statements.parseTime(leaf.logged_at, "logged_at");
    const effects = view.add(statement, { index, loggedAt });
    if (oneByOne) {
      for (const [key, value] of CZ.indexEntries.indexChanges(lookup, statement, { index, effects })) {
        stored.set(key, value);
      }
    } else {
      batch.add(statement, { index, effects });
    }
  });
  return oneByOne ? stored : batch.changed();
}

function asText(map) {
  return Object.fromEntries([...map].map(([key, value]) => [key, B.text(value)]));
}

test("a log's index documents, statement by statement, are those the log keeps", () => {
  for (const log of generate().logs) {
    assert.deepEqual(asText(replayLog(log, { oneByOne: true })), log.index);
  }
});

test("the changes of a whole log taken as one batch are the same documents, in key order", () => {
  for (const log of generate().logs) {
    const changed = replayLog(log, { oneByOne: false });
    assert.deepEqual(asText(changed), log.index);
    const keys = [...changed.keys()];
    assert.deepEqual(keys, [...keys].sort());
  }
});

test("each kind of key is derived", () => {
  const kinds = new Set(generate().logs.flatMap((log) => Object.keys(log.index).map((k) => k.split(":")[0])));
  for (const kind of ["asset", "fingerprint", "certificate", "party", "holder", "licensee", "pledgee", "settings"]) {
    assert.ok(kinds.has(kind), kind);
  }
});

test("a certificate stays with the first asset; a list holds an item once", () => {
  const stored = { "certificate:N1": '{"asset":"aa"}', "asset:bb": '{"events":[1]}' };
  const lookup = (key) => (key in stored ? B.utf8(stored[key]) : null);
  const asset = new CZ.registry.Asset({
    id: B.fromHex("bb"),
    holder: B.fromHex("cc"),
    registrar: B.fromHex("dd"),
    status: "registered",
    last_event: B.fromHex("ee"),
    fingerprint: B.fromHex("ff"),
    index: 1,
    certificate: "N1",
  });
  const effects = new CZ.registry.Effects({ objects: [asset], assets: [asset.id] });
  const statement = { type: "asset.register" };
  const changes = CZ.indexEntries.indexChanges(lookup, statement, { index: 1, effects });
  assert.deepEqual([...changes.keys()], ["fingerprint:ff", "holder:cc"]);
  assert.equal(B.text(changes.get("holder:cc")), '{"assets":["bb"]}');
  assert.throws(() => CZ.indexEntries.indexChanges(() => B.utf8("[1]"), statement, { index: 2, effects }), {
    name: "MalformedInput",
    message: "the index document of asset:bb is not a JSON object",
  });
});
