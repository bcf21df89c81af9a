// CZ.statements against cunzheng.ledger.statements: the same statements give the
// same hash, signed message and leaves, and are refused at the same stage with
// the same error class and message (tests/web/statements_cases.py makes them).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const CZ = require("./load.js");

const B = CZ.bytes;
const venv = path.join(__dirname, "../../.venv/bin/python");
const python = fs.existsSync(venv) ? venv : "python3";
const expected = JSON.parse(
  execFileSync(python, [path.join(__dirname, "statements_cases.py")], { encoding: "utf8" }),
);

/** Return the outcome the page reaches for *text*, in the form the Python cases use. */
async function outcome(text) {
  let statement;
  try {
    statement = CZ.statements.parse(text);
  } catch (e) {
    return { stage: "parse", error: e.name, message: e.message };
  }
  const result = {
    hash: B.hex(statement.hash),
    canonical: B.text(statement.canonical),
    signed_message: B.b64encode(statement.signedMessage()),
    leaf: B.b64encode(CZ.statements.makeLeaf(statement, expected.logged_at)),
    json_leaf: B.b64encode(CZ.statements.jsonLeaf(CZ.canonical.parse(text), expected.logged_at)),
    signed_at_micros: Number(statement.signedAt),
  };
  try {
    await CZ.statements.checkSignature(statement);
  } catch (e) {
    return { stage: "signature", error: e.name, message: e.message, ...result };
  }
  return { stage: "ok", ...result };
}

test("there are valid and refused cases at both stages", () => {
  const stages = new Set(expected.cases.map((c) => c.stage));
  assert.deepStrictEqual([...stages].sort(), ["ok", "parse", "signature"]);
});

for (const c of expected.cases) {
  test(`statement case ${c.name}: same verdict as the Python`, async () => {
    const { name, text, ...want } = c;
    assert.deepStrictEqual(await outcome(text), want);
  });
}

for (const c of expected.times) {
  test(`time ${c.text}: read as the Python reads it`, () => {
    let got;
    try {
      got = { error: null, micros: CZ.statements.parseTime(c.text, "t") };
    } catch (e) {
      got = { error: e.name, message: e.message };
    }
    const { text, ...want } = c;
    assert.deepStrictEqual(got, want);
  });
}

test("statements given as bytes or as parsed objects parse the same", () => {
  const text = expected.cases.find((c) => c.name === "valid-cosigned").text;
  const fromText = CZ.statements.parse(text);
  assert.strictEqual(fromText.content.TYPE, "evidence.timestamp");
  for (const data of [B.utf8(text), CZ.canonical.parse(text)]) {
    const again = CZ.statements.parse(data);
    assert.ok(B.equal(again.canonical, fromText.canonical));
    assert.ok(B.equal(again.hash, fromText.hash));
    assert.strictEqual(again.cosigners.length, 2);
  }
});

test("a leaf reads back as its statement and time", () => {
  const c = expected.cases.find((x) => x.name === "valid-unicode-body");
  const leaf = B.b64decode(c.leaf);
  const { statement, loggedAt } = CZ.statements.parseLeaf(leaf);
  assert.strictEqual(B.hex(statement.hash), c.hash);
  assert.strictEqual(CZ.bodies.formatTime(loggedAt), expected.logged_at);
});

test("a leaf that is not canonical JSON, or not a leaf, is refused", () => {
  assert.throws(
    () => CZ.statements.parseLeaf(B.utf8(expected.leaf_not_canonical)),
    (e) => e instanceof CZ.errors.MalformedInput && /not in RFC 8785 canonical form/.test(e.message),
  );
  assert.throws(
    () => CZ.statements.parseLeaf(B.utf8('{"logged_at":"2026-11-25T08:00:00Z"}')),
    (e) => e instanceof CZ.errors.MalformedInput && /exactly logged_at and statement/.test(e.message),
  );
});

test("a statement naming a key twice is refused", () => {
  assert.throws(
    () => CZ.statements.parse(expected.duplicate_key_text),
    (e) => e instanceof CZ.errors.MalformedInput,
  );
});

test("the size limit is the Python's", () => {
  assert.strictEqual(CZ.statements.MAX_STATEMENT_SIZE, expected.max_statement_size);
});

test("WebCrypto alone would take a small-order key that the strict check refuses", async () => {
  // The identity point as the key, R = identity and S = 0: the cofactorless
  // equation holds, so WebCrypto says yes; libsodium (and the page) say no.
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const signature = B.concat(identity, new Uint8Array(32));
  const message = B.utf8("anything");
  const algorithm = { name: "Ed25519" };
  const key = await crypto.subtle.importKey("raw", identity, algorithm, false, ["verify"]);
  assert.strictEqual(await crypto.subtle.verify(algorithm, key, signature, message), true);
  assert.strictEqual(await CZ.note.verifyEd25519(identity, message, signature), false);
});
